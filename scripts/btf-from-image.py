#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Copy the kernel's own BTF (what it serves at /sys/kernel/btf/vmlinux)
out of a kernel image, gzip-compressed or not, without booting it: the
.BTF section is stored whole in the image, a header (magic 0xeb9f,
version 1, header length 24) followed by its types and strings.
    scripts/btf-from-image.py VMLINUZ OUT.btf
The largest well-formed blob wins (a kernel holds only one)."""
import gzip
import struct
import sys

HDR = struct.Struct("<HBBIIIII")
MAGIC = b"\x9f\xeb\x01\x00\x18\x00\x00\x00"


def blobs(img):
    at = img.find(MAGIC)
    while at >= 0:
        _, _, _, hlen, toff, tlen, soff, slen = HDR.unpack_from(img, at)
        end = at + hlen + max(toff + tlen, soff + slen)
        # types then strings, the strings ending the blob with a NUL
        if toff == 0 and soff == tlen and end <= len(img) and slen and \
                img[end - 1] == 0:
            yield img[at:end]
        at = img.find(MAGIC, at + 1)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: btf-from-image.py VMLINUZ OUT.btf")
    with open(sys.argv[1], "rb") as f:
        img = f.read()
    if img[:2] == b"\x1f\x8b":
        img = gzip.decompress(img)
    best = max(blobs(img), key=len, default=None)
    if best is None:
        sys.exit(f"btf-from-image: no BTF in {sys.argv[1]}")
    with open(sys.argv[2], "wb") as f:
        f.write(best)
    print(f"btf-from-image: {len(best)} bytes of BTF")


if __name__ == "__main__":
    main()
