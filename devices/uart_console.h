/* SPDX-License-Identifier: MIT */
/*
 * The serial console: an 8250/16550A UART (uart.h) on the I/O bus whose transmitter writes to an
 * output fd (stdout) and whose receiver is fed from an input fd (stdin) by the VMM's main loop.
 *
 * vCPU threads call the bus handlers; the main loop polls uart_console_poll_fd() and calls
 * uart_console_pump() when it is readable. An input that reaches EOF (/dev/null, a closed pipe) is
 * dropped from the poll set, so it never spins. When the receive FIFO is full, input waits until
 * the guest reads a byte (the wake fd becomes readable then). The process must ignore SIGPIPE: a
 * reader of the output that goes away only ends console output, not the VM.
 */
#ifndef VFVM_DEVICES_UART_CONSOLE_H
#define VFVM_DEVICES_UART_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "devices/bus.h"
#include "devices/irq.h"
#include "devices/uart.h"

#define UART_COM1_BASE 0x3f8

struct uart_console {
	pthread_mutex_t lock;
	struct uart uart;
	struct irq_line irq;
	bool irq_level;
	int in_fd;   /* -1 once it reached EOF or failed */
	int out_fd;  /* -1 once writing failed (a closed pipe) */
	int wake_fd; /* eventfd: the receive FIFO has room again */
	bool in_waiting;
	int tty_fd; /* the terminal put into raw mode, or -1 */
	struct termios tty_saved;
};

/* -errno if the wake eventfd cannot be made. in_fd may be -1 (no input). */
int uart_console_init(struct uart_console *c, int in_fd, int out_fd, const struct irq_line *irq);
void uart_console_destroy(struct uart_console *c);

/* Claim the UART's eight ports at base. */
int uart_console_attach(struct uart_console *c, struct io_bus *bus, uint16_t base);
/* The same eight registers as bytes of MMIO at base (a device tree's ns16550a, reg-shift 0). */
int uart_console_attach_mmio(struct uart_console *c, struct io_bus *bus, uint64_t base);

/* Put a terminal input into raw mode (keeping ^C as SIGINT); a no-op unless in_fd is a tty. */
int uart_console_raw_tty(struct uart_console *c);
/* Give the terminal back its saved state; safe to call more than once. */
void uart_console_restore_tty(struct uart_console *c);

/* The fd the main loop should poll for input now (the input, the wake fd, or -1 for none). */
int uart_console_poll_fd(struct uart_console *c);
/* Move what is readable into the receive FIFO. 0, or -errno on a read error (input is dropped). */
int uart_console_pump(struct uart_console *c);

#endif
