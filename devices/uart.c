// SPDX-License-Identifier: MIT
#include "devices/uart.h"

#include <linux/serial_reg.h>
#include <string.h>

/* Modem status lines as seen without loopback: carrier, data set ready, clear to send. */
#define MSR_IDLE (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

void uart_reset(struct uart *u)
{
	memset(u, 0, sizeof(*u));
	/* the divisor Linux's early console would program for 115200 baud */
	u->dll = 1;
}

static bool fifo_enabled(const struct uart *u)
{
	return u->fcr & UART_FCR_ENABLE_FIFO;
}

static unsigned int rx_trigger(const struct uart *u)
{
	static const unsigned int level[4] = {1, 4, 8, 14};

	return fifo_enabled(u) ? level[u->fcr >> 6] : 1;
}

/* Modem status inputs (upper MSR nibble): in loopback they follow the modem control outputs. */
static uint8_t msr_status(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & UART_MCR_LOOP))
		return MSR_IDLE;
	return ((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) | ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
	       ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) | ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
}

static uint8_t lsr(const struct uart *u)
{
	return (u->rx_count ? UART_LSR_DR : 0) | (u->rx_overrun ? UART_LSR_OE : 0) | UART_LSR_THRE |
	       UART_LSR_TEMT;
}

static uint8_t iir(const struct uart *u)
{
	uint8_t id = UART_IIR_NO_INT;

	if ((u->ier & UART_IER_RLSI) && u->rx_overrun)
		id = UART_IIR_RLSI;
	else if ((u->ier & UART_IER_RDI) && u->rx_count)
		id = u->rx_count >= rx_trigger(u) ? UART_IIR_RDI : UART_IIR_RX_TIMEOUT;
	else if ((u->ier & UART_IER_THRI) && u->thre_pending)
		id = UART_IIR_THRI;
	else if ((u->ier & UART_IER_MSI) && (u->msr_delta & UART_MSR_ANY_DELTA))
		id = UART_IIR_MSI;
	return id | (fifo_enabled(u) ? 0xc0 : 0);
}

bool uart_irq_level(const struct uart *u)
{
	return !(iir(u) & UART_IIR_NO_INT);
}

size_t uart_rx_space(const struct uart *u)
{
	return UART_FIFO_SIZE - u->rx_count;
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->rx_count < UART_FIFO_SIZE) {
		u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = buf[n++];
		u->rx_count++;
	}
	return n;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return c;
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir(u);
		/* reading IIR acknowledges a THR-empty interrupt, and only that one */
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			u->thre_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = lsr(u);
		u->rx_overrun = false;
		return v;
	case UART_MSR:
		v = msr_status(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

static void set_mcr(struct uart *u, uint8_t val)
{
	uint8_t before = msr_status(u), after, changed;

	u->mcr = val & 0x1f;
	after = msr_status(u);
	changed = before ^ after;
	if (changed & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
}

static void set_fcr(struct uart *u, uint8_t val)
{
	/* enabling or disabling the FIFOs empties them */
	if ((val ^ u->fcr) & UART_FCR_ENABLE_FIFO || (val & UART_FCR_CLEAR_RCVR)) {
		u->rx_head = 0;
		u->rx_count = 0;
	}
	/* keep the enable and trigger bits; the clear bits are self-clearing, bit 5 is a 16750's */
	u->fcr = val & (UART_FCR_ENABLE_FIFO | UART_FCR_DMA_SELECT | UART_FCR_TRIGGER_MASK);
}

int uart_write(struct uart *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab) {
			u->dll = val;
			return -1;
		}
		/* transmission is instantaneous: THR is empty again at once */
		u->thre_pending = true;
		if (u->mcr & UART_MCR_LOOP) {
			if (!uart_receive(u, &val, 1))
				u->rx_overrun = true;
			return -1;
		}
		return val;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			return -1;
		}
		/* enabling the THR-empty interrupt while THR is empty raises it (Linux tests this)
		 */
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		return -1;
	case UART_FCR:
		set_fcr(u, val);
		return -1;
	case UART_LCR:
		u->lcr = val;
		return -1;
	case UART_MCR:
		set_mcr(u, val);
		return -1;
	case UART_SCR:
		u->scr = val;
		return -1;
	default: /* LSR and MSR are read-only */
		return -1;
	}
}
