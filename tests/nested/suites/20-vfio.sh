# Suite "vfio": vfvm's passthrough layer (vfio/) against the real e1000e and e1000 through VFIO, with a
# recording VM in place of KVM: DMA mappings, BAR slots and traps, INTx with resample, MSI, MSI-X and
# its PBA, the errors of a busy device and of RAM over the MSI window, a clean close and re-open.
. /lib/vfvm/tap.sh
exec /vfvm/tests/test_vfio_real $E1000E $E1000
