// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the 8250 UART's registers driven by a guest's arbitrary reads and writes, with
 * host input arriving in between.
 *
 * Input: 2-byte operations {op, value}: op bits 0-2 the register, bits 3-4 the kind: 0 read,
 * 1 write, 2 host input of value % 32 bytes, 3 reset.
 */
#include <stddef.h>
#include <stdint.h>

#include "devices/uart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t host[32] = "host input to the guest 0123456";
	struct uart u;

	uart_reset(&u);
	for (size_t i = 0; i + 2 <= size; i += 2) {
		unsigned int reg = data[i] & 7, kind = (data[i] >> 3) & 3;

		switch (kind) {
		case 0:
			uart_read(&u, reg);
			break;
		case 1:
			uart_write(&u, reg, data[i + 1]);
			break;
		case 2:
			uart_receive(&u, host, data[i + 1] % sizeof(host));
			break;
		default:
			uart_reset(&u);
		}
		(void)uart_irq_level(&u);
		(void)uart_rx_space(&u);
	}
	return 0;
}
