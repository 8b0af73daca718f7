# shellcheck shell=bash
# The large-BAR device's shared memory, as the host sees it (sourced by scripts/nested/run).
#
# L0's ivshmem-plain device (00:08.0) exposes a 2 GiB file as its BAR2. The file is sparse and made
# fresh each run; the host writes one 32-bit word at the start of every 32 MiB chunk before L0 starts
# (L2 reads them back through the BAR), and after the run finds the words L2 wrote at the end of every
# chunk (the last one is the BAR's very last word). The values: chunk K holds 0x48000000 + K from the
# host ("H") and 0x4c000000 + K from L2 ("L"); tests/nested/l2/ivshmem.sh writes and reads the same.
IVSHMEM_SIZE=$((2 << 30))
IVSHMEM_CHUNK=$((32 << 20))

# ivshmem_prepare FILE: a fresh sparse file of IVSHMEM_SIZE with the host's words in it
ivshmem_prepare() {
	rm -f "$1"
	truncate -s "$IVSHMEM_SIZE" "$1" || die "cannot create $1 (the ivshmem device's shared memory)"
	perl -e 'open(my $f, "+<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		for my $k (0 .. $ARGV[1] / $ARGV[2] - 1) {
			seek($f, $k * $ARGV[2], 0); print $f pack("V", 0x48000000 + $k);
		}
		close($f) or die "$ARGV[0]: $!\n";' "$1" "$IVSHMEM_SIZE" "$IVSHMEM_CHUNK" ||
		die "cannot write the host's words into $1"
}

# ivshmem_check FILE: nothing when every chunk holds L2's word at its end and still the host's at its
# start; else how many words are wrong and the first of them
ivshmem_check() {
	perl -e 'open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my ($bad, $first) = (0, "");
		for my $k (0 .. $ARGV[1] / $ARGV[2] - 1) {
			for my $w ([$k * $ARGV[2] + $ARGV[2] - 4, 0x4c000000 + $k],
				   [$k * $ARGV[2], 0x48000000 + $k]) {
				my $buf = "";
				seek($f, $w->[0], 0); read($f, $buf, 4);
				my $got = length($buf) == 4 ? unpack("V", $buf) : 0;
				next if $got == $w->[1];
				$first .= sprintf(" at %#x: %08x, not %08x;", $w->[0], $got, $w->[1])
					if $bad++ < 3;
			}
		}
		print "$bad words wrong:$first\n" if $bad;' "$1" "$IVSHMEM_SIZE" "$IVSHMEM_CHUNK" 2>&1
}
