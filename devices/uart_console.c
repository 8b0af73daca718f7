// SPDX-License-Identifier: MIT
#include "devices/uart_console.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void update_irq(struct uart_console *c)
{
	bool level = uart_irq_level(&c->uart);

	if (level != c->irq_level) {
		c->irq_level = level;
		irq_line_set(&c->irq, level);
	}
}

static void output(struct uart_console *c, uint8_t byte)
{
	ssize_t n;

	if (c->out_fd < 0)
		return;
	do
		n = write(c->out_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	/* a reader that went away must not stop the guest: drop console output from now on */
	if (n < 0 && errno != EAGAIN)
		c->out_fd = -1;
}

static void console_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct uart_console *c = opaque;
	uint8_t *out = data;
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < len; i++)
		out[i] = uart_read(&c->uart, (off + i) % UART_NR_REGS);
	if (c->in_waiting && uart_rx_space(&c->uart)) {
		c->in_waiting = false;
		if (write(c->wake_fd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow with one write per refill; nothing to do */
		}
	}
	update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

static void console_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct uart_console *c = opaque;
	const uint8_t *in = data;

	pthread_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < len; i++) {
		int tx = uart_write(&c->uart, (off + i) % UART_NR_REGS, in[i]);

		if (tx >= 0)
			output(c, tx);
	}
	update_irq(c);
	pthread_mutex_unlock(&c->lock);
}

static const struct io_ops console_ops = {console_read, console_write};

int uart_console_init(struct uart_console *c, int in_fd, int out_fd, const struct irq_line *irq)
{
	*c = (struct uart_console){.in_fd = in_fd, .out_fd = out_fd, .tty_fd = -1};
	if (irq)
		c->irq = *irq;
	uart_reset(&c->uart);
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0)
		return -errno;
	return -pthread_mutex_init(&c->lock, NULL);
}

void uart_console_destroy(struct uart_console *c)
{
	uart_console_restore_tty(c);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->wake_fd = -1;
	pthread_mutex_destroy(&c->lock);
}

int uart_console_attach(struct uart_console *c, struct io_bus *bus, uint16_t base)
{
	return io_bus_register(bus, IO_SPACE_PIO, base, UART_NR_REGS, &console_ops, c, "uart");
}

int uart_console_attach_mmio(struct uart_console *c, struct io_bus *bus, uint64_t base)
{
	return io_bus_register(bus, IO_SPACE_MMIO, base, UART_NR_REGS, &console_ops, c, "uart");
}

int uart_console_raw_tty(struct uart_console *c)
{
	struct termios t;

	if (c->in_fd < 0 || !isatty(c->in_fd) || c->tty_fd >= 0)
		return 0;
	if (tcgetattr(c->in_fd, &c->tty_saved))
		return -errno;
	t = c->tty_saved;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(c->in_fd, TCSANOW, &t))
		return -errno;
	c->tty_fd = c->in_fd;
	return 0;
}

void uart_console_restore_tty(struct uart_console *c)
{
	if (c->tty_fd >= 0 && tcsetattr(c->tty_fd, TCSANOW, &c->tty_saved) == 0)
		c->tty_fd = -1;
}

int uart_console_poll_fd(struct uart_console *c)
{
	int fd;

	pthread_mutex_lock(&c->lock);
	fd = c->in_waiting ? c->wake_fd : c->in_fd;
	pthread_mutex_unlock(&c->lock);
	return fd;
}

int uart_console_pump(struct uart_console *c)
{
	uint8_t buf[UART_FIFO_SIZE];
	uint64_t cnt;
	size_t room;
	ssize_t n;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	if (read(c->wake_fd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: no wake-up pending, which is the usual case */
	}
	room = uart_rx_space(&c->uart);
	if (c->in_fd < 0 || !room) {
		c->in_waiting = c->in_fd >= 0;
		goto out;
	}
	n = read(c->in_fd, buf, room);
	if (n > 0) {
		uart_receive(&c->uart, buf, n);
		c->in_waiting = !uart_rx_space(&c->uart);
		update_irq(c);
	} else if (n == 0) {
		c->in_fd = -1; /* EOF: never poll it again */
	} else if (errno != EINTR && errno != EAGAIN) {
		ret = -errno;
		c->in_fd = -1;
	}
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}
