/* SPDX-License-Identifier: MIT */
/*
 * The register model of an 8250/16550A UART, with no I/O of its own: the front end
 * (uart_console.h) feeds it register accesses and received bytes, and takes from it the transmitted
 * bytes and the interrupt level. Transmission is instantaneous (THR is always empty again right
 * after a write), so THRE and TEMT are always set.
 */
#ifndef VFVM_DEVICES_UART_H
#define VFVM_DEVICES_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_FIFO_SIZE 16
#define UART_NR_REGS 8

struct uart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending; /* THR-empty interrupt raised and not yet acknowledged */
	uint8_t rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	bool rx_overrun;
	uint8_t msr_delta; /* MSR change bits (loopback only), cleared by reading MSR */
};

void uart_reset(struct uart *u);

/* Register reg (0-7) of the UART; reading RBR, IIR or LSR has the side effects real hardware has.
 */
uint8_t uart_read(struct uart *u, unsigned int reg);

/*
 * Write register reg. Returns the byte to transmit (0-255) after a THR write outside loopback mode,
 * or -1 when nothing leaves the UART.
 */
int uart_write(struct uart *u, unsigned int reg, uint8_t val);

/* Whether the interrupt output is asserted now. */
bool uart_irq_level(const struct uart *u);

/* Append received bytes to the receive FIFO; returns how many fit. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len);

/* Free space in the receive FIFO. */
size_t uart_rx_space(const struct uart *u);

#endif
