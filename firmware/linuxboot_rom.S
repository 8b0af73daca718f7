/* SPDX-License-Identifier: MIT */
/*
 * vfvm's boot option ROM: SeaBIOS runs it from the fw_cfg file genroms/vfvm-linuxboot.bin.
 *
 * Its boot entry vector (BEV) loads the Linux pieces that fw_cfg_add_linux() put into fw_cfg
 * (setup, kernel, initrd, command line: each an le32 address, an le32 size and the bytes) with
 * the fw_cfg DMA interface, which writes anywhere in guest RAM without leaving real mode, then
 * enters the kernel's real-mode setup code as Documentation/arch/x86/boot.rst asks of a boot
 * loader: interrupts off, ds = es = fs = gs = ss = setup segment, sp at the heap end, far jump to
 * setup segment + 0x20, offset 0. When something is missing or a transfer fails it prints one
 * line on the UART and returns to SeaBIOS (a far return from a BEV means "boot failed, try the
 * next entry"), so the guest never jumps into garbage.
 *
 * 16-bit real-mode code, linked at offset 0 of the ROM segment. The build (scripts/romify.py)
 * sets the size byte and both checksums. No writable data lives in the ROM: SeaBIOS may have
 * write-protected the option ROM area by the time the BEV runs; variables sit on the stack.
 */
	.code16
	.section .text, "ax"

/* fw_cfg, as firmware/fw_cfg.h defines it */
#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_PORT_DMA_HI	0x514
#define FW_CFG_PORT_DMA_LO	0x518
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_ID		0x0001
#define FW_CFG_INITRD_ADDR	0x000a
#define FW_CFG_INITRD_SIZE	0x000b
#define FW_CFG_KERNEL_ADDR	0x0007
#define FW_CFG_KERNEL_SIZE	0x0008
#define FW_CFG_KERNEL_DATA	0x0011
#define FW_CFG_INITRD_DATA	0x0012
#define FW_CFG_CMDLINE_ADDR	0x0013
#define FW_CFG_CMDLINE_SIZE	0x0014
#define FW_CFG_CMDLINE_DATA	0x0015
#define FW_CFG_SETUP_ADDR	0x0016
#define FW_CFG_SETUP_SIZE	0x0017
#define FW_CFG_SETUP_DATA	0x0018
#define FW_CFG_FEATURE_DMA	0x02
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SELECT	0x08
#define QEMU_SIGNATURE		0x554d4551 /* "QEMU" read as le32 */

#define UART_THR		0x3f8
#define UART_LSR		0x3fd
#define UART_LSR_THRE		0x20

#define SETUP_MAX		0x8000	   /* real-mode code, boot sector included */
#define SETUP_END_MAX		0xa0000	   /* setup segment + 64 KiB stays below the EBDA area */
#define HDR_HEAP_END_PTR	0x224
#define HDR_MAGIC		0x202
#define HDRS_MAGIC		0x53726448 /* "HdrS" */

/* The BEV's stack frame, below %bp: the DMA descriptor first, then the items' values. */
#define DESC_CONTROL		-16
#define DESC_LENGTH		-12
#define DESC_ADDR_HI		-8
#define DESC_ADDR_LO		-4
#define V_SETUP_ADDR		-20
#define V_SETUP_SIZE		-24
#define V_KERNEL_ADDR		-28
#define V_KERNEL_SIZE		-32
#define V_INITRD_ADDR		-36
#define V_INITRD_SIZE		-40
#define V_CMDLINE_ADDR		-44
#define V_CMDLINE_SIZE		-48
#define FRAME_SIZE		48

	.globl	_start
_start:
	.byte	0x55, 0xaa
	.byte	0		/* size in 512-byte blocks: set by the build */
init_entry:			/* offset 3: nothing to initialise */
	lret
	.org	0x18
	.word	0		/* no PCI data structure */
	.word	pnp_header	/* offset 0x1a */

	.balign	16
pnp_header:
	.ascii	"$PnP"
	.byte	1		/* structure revision */
	.byte	2		/* length in 16-byte units */
	.word	0		/* no next header */
	.byte	0		/* reserved */
	.byte	0		/* checksum of these 32 bytes: set by the build */
	.long	0		/* device identifier */
	.word	0		/* no manufacturer string */
	.word	product_name
	.byte	0, 0, 0		/* device type code */
	.byte	0		/* device indicators */
	.word	0		/* boot connection vector: none */
	.word	0		/* disconnect vector: none */
	.word	bev_entry	/* bootstrap entry vector */
	.word	0		/* reserved */
	.word	0		/* static resource information vector: none */

product_name:
	.asciz	"vfvm Linux kernel boot"

/* %ax = key. Returns the item's first four bytes, little endian, in %eax (I/O interface). */
fw_read32:
	push	%dx
	mov	$FW_CFG_PORT_SEL, %dx
	out	%ax, %dx
	inc	%dx
	in	%dx, %al
	ror	$8, %eax
	in	%dx, %al
	ror	$8, %eax
	in	%dx, %al
	ror	$8, %eax
	in	%dx, %al
	ror	$8, %eax
	pop	%dx
	ret

/*
 * %ax = key, %ecx = length, %edi = guest-physical destination. Selects the key and reads length
 * bytes through the descriptor in the frame. CF set if fw_cfg reported ERROR.
 */
fw_dma_read:
	movzwl	%ax, %eax
	shl	$16, %eax
	or	$(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ), %eax
	bswap	%eax
	mov	%eax, DESC_CONTROL(%bp)
	mov	%ecx, %eax
	bswap	%eax
	mov	%eax, DESC_LENGTH(%bp)
	movl	$0, DESC_ADDR_HI(%bp)
	mov	%edi, %eax
	bswap	%eax
	mov	%eax, DESC_ADDR_LO(%bp)
	/* the descriptor's guest-physical address: ss * 16 + bp + DESC_CONTROL */
	xor	%eax, %eax
	mov	%ss, %ax
	shl	$4, %eax
	movzwl	%bp, %edx
	lea	DESC_CONTROL(%eax, %edx), %eax
	bswap	%eax
	push	%eax
	xor	%eax, %eax
	mov	$FW_CFG_PORT_DMA_HI, %dx
	out	%eax, %dx
	pop	%eax
	mov	$FW_CFG_PORT_DMA_LO, %dx
	out	%eax, %dx	/* starts the transfer */
1:	mov	DESC_CONTROL(%bp), %eax
	bswap	%eax
	test	$~FW_CFG_DMA_ERROR, %eax
	jz	2f
	pause
	jmp	1b
2:	shr	$1, %eax	/* CF = the ERROR bit */
	ret

/* %si = message in the ROM (%ds = %cs). Bounded wait per byte: a missing UART reads 0. */
print:
	push	%cx
	push	%dx
3:	lodsb
	test	%al, %al
	jz	6f
	mov	%al, %ah
	mov	$0x4000, %cx
	mov	$UART_LSR, %dx
4:	in	%dx, %al
	test	$UART_LSR_THRE, %al
	jnz	5f
	loop	4b
5:	mov	%ah, %al
	mov	$UART_THR, %dx
	out	%al, %dx
	jmp	3b
6:	pop	%dx
	pop	%cx
	ret

/* SeaBIOS far-calls the BEV in real mode; returning means "try the next boot entry". */
bev_entry:
	pushal
	push	%ds
	push	%es
	mov	%sp, %bp
	sub	$FRAME_SIZE, %sp
	cld
	mov	%cs, %ax
	mov	%ax, %ds

	mov	$FW_CFG_SIGNATURE, %ax
	call	fw_read32
	mov	$msg_no_fw_cfg, %si
	cmp	$QEMU_SIGNATURE, %eax
	jne	fail
	mov	$FW_CFG_ID, %ax
	call	fw_read32
	mov	$msg_no_dma, %si
	test	$FW_CFG_FEATURE_DMA, %al
	jz	fail

	mov	$FW_CFG_SETUP_ADDR, %ax
	call	fw_read32
	mov	%eax, V_SETUP_ADDR(%bp)
	mov	$FW_CFG_SETUP_SIZE, %ax
	call	fw_read32
	mov	%eax, V_SETUP_SIZE(%bp)
	mov	$FW_CFG_KERNEL_ADDR, %ax
	call	fw_read32
	mov	%eax, V_KERNEL_ADDR(%bp)
	mov	$FW_CFG_KERNEL_SIZE, %ax
	call	fw_read32
	mov	%eax, V_KERNEL_SIZE(%bp)
	mov	$FW_CFG_INITRD_ADDR, %ax
	call	fw_read32
	mov	%eax, V_INITRD_ADDR(%bp)
	mov	$FW_CFG_INITRD_SIZE, %ax
	call	fw_read32
	mov	%eax, V_INITRD_SIZE(%bp)
	mov	$FW_CFG_CMDLINE_ADDR, %ax
	call	fw_read32
	mov	%eax, V_CMDLINE_ADDR(%bp)
	mov	$FW_CFG_CMDLINE_SIZE, %ax
	call	fw_read32
	mov	%eax, V_CMDLINE_SIZE(%bp)

	/* a missing item reads as 0: no kernel given, or not vfvm's layout */
	mov	$msg_no_kernel, %si
	cmpl	$0, V_SETUP_SIZE(%bp)
	je	fail
	cmpl	$0, V_KERNEL_SIZE(%bp)
	je	fail
	mov	$msg_bad_setup, %si
	cmpl	$SETUP_MAX, V_SETUP_SIZE(%bp)
	ja	fail
	mov	V_SETUP_ADDR(%bp), %eax
	test	$0xf, %al
	jnz	fail
	cmp	$(SETUP_END_MAX - 0x10000), %eax
	ja	fail

	mov	$msg_dma_failed, %si
	mov	$FW_CFG_SETUP_DATA, %ax
	mov	V_SETUP_SIZE(%bp), %ecx
	mov	V_SETUP_ADDR(%bp), %edi
	call	fw_dma_read
	jc	fail
	mov	$FW_CFG_KERNEL_DATA, %ax
	mov	V_KERNEL_SIZE(%bp), %ecx
	mov	V_KERNEL_ADDR(%bp), %edi
	call	fw_dma_read
	jc	fail
	mov	V_INITRD_SIZE(%bp), %ecx
	jecxz	7f
	mov	$FW_CFG_INITRD_DATA, %ax
	mov	V_INITRD_ADDR(%bp), %edi
	call	fw_dma_read
	jc	fail
7:	mov	V_CMDLINE_SIZE(%bp), %ecx
	jecxz	8f
	mov	$FW_CFG_CMDLINE_DATA, %ax
	mov	V_CMDLINE_ADDR(%bp), %edi
	call	fw_dma_read
	jc	fail

8:	mov	V_SETUP_ADDR(%bp), %eax
	shr	$4, %eax
	mov	%ax, %es
	mov	$msg_bad_setup, %si
	cmpl	$HDRS_MAGIC, %es:HDR_MAGIC
	jne	fail

	/* Enter the setup code: boot.rst, "Running the kernel". */
	cli
	mov	%ax, %ds
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	HDR_HEAP_END_PTR, %sp
	add	$0x200, %sp	/* 0x10000 wraps to 0: the top of the segment */
	add	$0x20, %ax
	push	%ax
	push	$0
	lret

fail:
	push	%si
	mov	$msg_prefix, %si
	call	print
	pop	%si
	call	print
	mov	$msg_crlf, %si
	call	print
	mov	%bp, %sp
	pop	%es
	pop	%ds
	popal
	lret

msg_prefix:	.asciz	"vfvm-linuxboot: "
msg_no_fw_cfg:	.asciz	"no fw_cfg device at 0x510"
msg_no_dma:	.asciz	"fw_cfg has no DMA interface"
msg_no_kernel:	.asciz	"no kernel in fw_cfg (setup or kernel size is 0)"
msg_bad_setup:	.asciz	"setup item malformed (size, address or HdrS magic)"
msg_dma_failed:	.asciz	"fw_cfg DMA transfer reported an error"
msg_crlf:	.asciz	"\r\n"
