// SPDX-License-Identifier: MIT
/* The 8250/16550A register model, and the console front end on pipes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/serial_reg.h>

#include "devices/uart.h"
#include "devices/uart_console.h"

static void reset_state_is_a_quiet_16550(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	assert_int_equal(uart_read(&u, UART_IER), 0);
	assert_int_equal(uart_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(uart_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(uart_read(&u, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_false(uart_irq_level(&u));
	/* reading an empty receiver gives 0 and changes nothing */
	assert_int_equal(uart_read(&u, UART_RX), 0);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
}

static void dlab_switches_registers_0_and_1_to_the_divisor(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_IER, UART_IER_RDI);
	uart_write(&u, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	assert_int_equal(uart_write(&u, UART_DLL, 0x0c), -1); /* not transmitted */
	uart_write(&u, UART_DLM, 0x01);
	assert_int_equal(uart_read(&u, UART_DLL), 0x0c);
	assert_int_equal(uart_read(&u, UART_DLM), 0x01);
	uart_write(&u, UART_LCR, UART_LCR_WLEN8);
	assert_int_equal(uart_read(&u, UART_LCR), UART_LCR_WLEN8);
	assert_int_equal(uart_read(&u, UART_IER), UART_IER_RDI);
}

static void thr_write_transmits_and_raises_thre(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	assert_int_equal(uart_write(&u, UART_TX, 'A'), 'A');
	/* THRE pending but not enabled: no interrupt */
	assert_false(uart_irq_level(&u));
	uart_write(&u, UART_IER, UART_IER_THRI);
	assert_true(uart_irq_level(&u));
	assert_int_equal(uart_read(&u, UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
	/* reading IIR acknowledged it */
	assert_false(uart_irq_level(&u));
	assert_int_equal(uart_read(&u, UART_IIR), UART_IIR_NO_INT);
	/* the next character raises it again */
	uart_write(&u, UART_TX, 'B');
	assert_true(uart_irq_level(&u));
	assert_int_equal(uart_read(&u, UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
}

/* The check serial8250_startup() makes: THRE must re-assert when THRI is enabled again. */
static void thre_reasserts_when_ier_thri_is_reenabled(void **state)
{
	struct uart u;
	uint8_t iir1, iir2;
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_IER, UART_IER_THRI);
	iir1 = uart_read(&u, UART_IIR);
	uart_write(&u, UART_IER, 0);
	uart_write(&u, UART_IER, UART_IER_THRI);
	iir2 = uart_read(&u, UART_IIR);
	uart_write(&u, UART_IER, 0);
	assert_int_equal(iir1 & UART_IIR_NO_INT, 0);
	assert_int_equal(iir2 & UART_IIR_NO_INT, 0);
	/* rewriting IER with THRI already set does not invent a second interrupt */
	uart_write(&u, UART_IER, UART_IER_THRI);
	uart_read(&u, UART_IIR);
	uart_write(&u, UART_IER, UART_IER_THRI | UART_IER_RDI);
	assert_int_equal(uart_read(&u, UART_IIR), UART_IIR_NO_INT);
}

static void fifo_control_and_iir_fifo_bits(void **state)
{
	struct uart u;
	const uint8_t data[3] = {'x', 'y', 'z'};
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO);
	/* Linux's autoconfig: IIR bits 7:6 == 3 means a 16550A with working FIFOs */
	assert_int_equal(uart_read(&u, UART_IIR) >> 6, 3);
	/* bit 5 (a 16750's 64-byte FIFO) never reads back, with or without DLAB */
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	assert_int_equal((uart_read(&u, UART_IIR) >> 5) & 1, 0);
	uart_write(&u, UART_LCR, UART_LCR_DLAB);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	assert_int_equal((uart_read(&u, UART_IIR) >> 5) & 1, 0);
	uart_write(&u, UART_LCR, 0);
	/* clearing the receive FIFO drops what was received */
	assert_int_equal(uart_receive(&u, data, 3), 3);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	/* disabling the FIFO also empties it, and IIR's FIFO bits go */
	uart_receive(&u, data, 3);
	uart_write(&u, UART_FCR, 0);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(uart_read(&u, UART_IIR), UART_IIR_NO_INT);
}

static void receive_fifo_order_interrupt_and_limit(void **state)
{
	struct uart u;
	uint8_t buf[UART_FIFO_SIZE + 4];
	(void)state;

	uart_reset(&u);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = 'a' + i;
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_R_TRIG_10); /* trigger at 8 */
	uart_write(&u, UART_IER, UART_IER_RDI);
	assert_int_equal(uart_receive(&u, buf, 2), 2);
	/* below the trigger level: a character timeout interrupt */
	assert_true(uart_irq_level(&u));
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_RX_TIMEOUT);
	assert_int_equal(uart_receive(&u, buf + 2, sizeof(buf) - 2), UART_FIFO_SIZE - 2);
	assert_int_equal(uart_rx_space(&u), 0);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_RDI);
	assert_true(uart_read(&u, UART_LSR) & UART_LSR_DR);
	for (unsigned int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(uart_read(&u, UART_RX), 'a' + i);
	assert_false(uart_irq_level(&u));
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
}

static void receive_interrupt_outranks_thre(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_IER, UART_IER_RDI | UART_IER_THRI);
	uart_receive(&u, (const uint8_t *)"q", 1);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_RDI);
	/* that read did not acknowledge the THRE interrupt behind it */
	uart_read(&u, UART_RX);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_THRI);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_NO_INT);
}

static void loopback_reflects_mcr_and_data(void **state)
{
	struct uart u;
	uint8_t msr;
	(void)state;

	uart_reset(&u);
	/* Linux's loopback test: RTS | OUT2 must read back as CTS | DCD */
	uart_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	msr = uart_read(&u, UART_MSR);
	assert_int_equal(msr & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	/* the change from the idle lines was reported once, as deltas */
	assert_true(msr & UART_MSR_DDSR);
	assert_int_equal(uart_read(&u, UART_MSR) & UART_MSR_ANY_DELTA, 0);
	/* transmitted bytes come back to the receiver instead of leaving */
	assert_int_equal(uart_write(&u, UART_TX, 0x5a), -1);
	assert_int_equal(uart_read(&u, UART_RX), 0x5a);
	/* a full receiver in loopback overruns, reported once in LSR */
	for (unsigned int i = 0; i <= UART_FIFO_SIZE; i++)
		uart_write(&u, UART_TX, i);
	assert_true(uart_read(&u, UART_LSR) & UART_LSR_OE);
	assert_false(uart_read(&u, UART_LSR) & UART_LSR_OE);
	uart_write(&u, UART_MCR, 0);
	assert_int_equal(uart_read(&u, UART_MSR) & 0xf0,
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

static void modem_status_and_line_status_interrupts(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_IER, UART_IER_MSI | UART_IER_RLSI);
	uart_write(&u, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_MSI);
	uart_read(&u, UART_MSR);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_NO_INT);
	for (unsigned int i = 0; i <= UART_FIFO_SIZE; i++)
		uart_write(&u, UART_TX, i);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_RLSI);
	uart_read(&u, UART_LSR);
	assert_int_equal(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_NO_INT);
}

static void scratch_ier_mask_and_readonly_registers(void **state)
{
	struct uart u;
	(void)state;

	uart_reset(&u);
	uart_write(&u, UART_SCR, 0xa5);
	assert_int_equal(uart_read(&u, UART_SCR), 0xa5);
	/* IER's upper bits do not exist on a 16550A (Linux tells an XScale by them) */
	uart_write(&u, UART_IER, 0xff);
	assert_int_equal(uart_read(&u, UART_IER), 0x0f);
	uart_write(&u, UART_IER, 0);
	/* writes to LSR and MSR change nothing */
	uart_write(&u, UART_LSR, 0);
	uart_write(&u, UART_MSR, 0);
	assert_int_equal(uart_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(uart_read(&u, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	/* MCR keeps its five bits */
	uart_write(&u, UART_MCR, 0xff);
	assert_int_equal(uart_read(&u, UART_MCR), 0x1f);
	/* out of range register numbers are harmless */
	assert_int_equal(uart_read(&u, 8), 0xff);
	assert_int_equal(uart_write(&u, 9, 1), -1);
}

/* ---- front end ---- */

struct levels {
	int n;
	bool last;
};

static void record_level(void *opaque, unsigned int gsi, bool level)
{
	struct levels *l = opaque;

	assert_int_equal(gsi, 4);
	l->n++;
	l->last = level;
}

static void console_writes_output_and_drives_the_irq_line(void **state)
{
	struct uart_console c;
	struct io_bus bus;
	struct levels lv = {0};
	struct irq_line line = {record_level, &lv, 4};
	int out[2];
	char got[8] = {0};
	uint8_t v;
	(void)state;

	assert_int_equal(pipe(out), 0);
	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(uart_console_init(&c, -1, out[1], &line), 0);
	assert_int_equal(uart_console_attach(&c, &bus, UART_COM1_BASE), 0);
	v = 'h';
	io_bus_access(&bus, IO_SPACE_PIO, 0x3f8, &v, 1, true);
	v = 'i';
	io_bus_access(&bus, IO_SPACE_PIO, 0x3f8, &v, 1, true);
	assert_int_equal(read(out[0], got, sizeof(got)), 2);
	assert_string_equal(got, "hi");
	/* enabling THRI raises the line once; reading IIR lowers it once */
	v = UART_IER_THRI;
	io_bus_access(&bus, IO_SPACE_PIO, 0x3f9, &v, 1, true);
	assert_int_equal(lv.n, 1);
	assert_true(lv.last);
	io_bus_access(&bus, IO_SPACE_PIO, 0x3fa, &v, 1, false);
	assert_int_equal(lv.n, 2);
	assert_false(lv.last);
	/* no input: nothing to poll */
	assert_int_equal(uart_console_poll_fd(&c), -1);
	/* a reader that went away does not stop the guest (vfvm ignores SIGPIPE, as here) */
	signal(SIGPIPE, SIG_IGN);
	close(out[0]);
	v = 'x';
	io_bus_access(&bus, IO_SPACE_PIO, 0x3f8, &v, 1, true);
	assert_int_equal(c.out_fd, -1);
	uart_console_destroy(&c);
	io_bus_destroy(&bus);
	close(out[1]);
}

static void console_input_waits_when_full_and_stops_at_eof(void **state)
{
	struct uart_console c;
	struct io_bus bus;
	int in[2];
	uint8_t v;
	char text[UART_FIFO_SIZE + 3];
	(void)state;

	memset(text, 'k', sizeof(text));
	assert_int_equal(pipe(in), 0);
	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(uart_console_init(&c, in[0], -1, NULL), 0);
	assert_int_equal(uart_console_attach(&c, &bus, UART_COM1_BASE), 0);
	assert_int_equal(uart_console_poll_fd(&c), in[0]);
	assert_int_equal(write(in[1], text, sizeof(text)), (ssize_t)sizeof(text));
	assert_int_equal(uart_console_pump(&c), 0);
	/* the FIFO is full: the main loop now waits on the wake fd instead of the input */
	assert_int_equal(uart_console_poll_fd(&c), c.wake_fd);
	io_bus_access(&bus, IO_SPACE_PIO, 0x3f8, &v, 1, false);
	assert_int_equal(v, 'k');
	/* the guest made room: wake fd readable, input polled again */
	assert_int_equal(uart_console_poll_fd(&c), in[0]);
	assert_int_equal(uart_console_pump(&c), 0);
	assert_int_equal(uart_rx_space(&c.uart), 0);
	for (unsigned int i = 0; i < UART_FIFO_SIZE; i++)
		io_bus_access(&bus, IO_SPACE_PIO, 0x3f8, &v, 1, false);
	assert_int_equal(uart_console_pump(&c), 0);
	assert_int_equal(UART_FIFO_SIZE - uart_rx_space(&c.uart), 2);
	/* EOF: the input leaves the poll set for good (a pipe or /dev/null must not spin) */
	close(in[1]);
	assert_int_equal(uart_console_pump(&c), 0);
	assert_int_equal(uart_console_poll_fd(&c), -1);
	uart_console_destroy(&c);
	io_bus_destroy(&bus);
	close(in[0]);
}

static void dev_null_input_is_eof_at_once(void **state)
{
	struct uart_console c;
	int fd = open("/dev/null", O_RDONLY);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(uart_console_init(&c, fd, -1, NULL), 0);
	/* not a terminal: raw mode is a no-op and restoring it too */
	assert_int_equal(uart_console_raw_tty(&c), 0);
	assert_int_equal(uart_console_pump(&c), 0);
	assert_int_equal(uart_console_poll_fd(&c), -1);
	uart_console_destroy(&c);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_state_is_a_quiet_16550),
		cmocka_unit_test(dlab_switches_registers_0_and_1_to_the_divisor),
		cmocka_unit_test(thr_write_transmits_and_raises_thre),
		cmocka_unit_test(thre_reasserts_when_ier_thri_is_reenabled),
		cmocka_unit_test(fifo_control_and_iir_fifo_bits),
		cmocka_unit_test(receive_fifo_order_interrupt_and_limit),
		cmocka_unit_test(receive_interrupt_outranks_thre),
		cmocka_unit_test(loopback_reflects_mcr_and_data),
		cmocka_unit_test(modem_status_and_line_status_interrupts),
		cmocka_unit_test(scratch_ier_mask_and_readonly_registers),
		cmocka_unit_test(console_writes_output_and_drives_the_irq_line),
		cmocka_unit_test(console_input_waits_when_full_and_stops_at_eof),
		cmocka_unit_test(dev_null_input_is_eof_at_once),
	};

	return cmocka_run_group_tests_name("uart", tests, NULL, NULL);
}
