#!/usr/bin/python3
"""Compares two HDF5 files object by object: the same groups and datasets, each dataset's
shape, type, chunking, filters and values (bit for bit, NaN included), and every attribute
(object references compared by the path they point to). The compressed bytes may differ.
Prints the differences; exit 0 when there are none, 1 otherwise.

    h5cmp.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np


def names(f):
    out = {}

    def add(name, obj):
        out[name] = obj  # and return None: visititems stops at the first other value

    f.visititems(add)
    return out


def same_value(a, b, fa, fb):
    if isinstance(a, h5py.Reference) or isinstance(b, h5py.Reference):
        return isinstance(a, h5py.Reference) and isinstance(b, h5py.Reference) and \
            fa[a].name == fb[b].name
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.names:  # a table (H5DS's REFERENCE_LIST: a reference and an index): by column
        return all(same_value(a[n], b[n], fa, fb) for n in a.dtype.names)
    if a.dtype == object:
        return all(same_value(x, y, fa, fb) for x, y in zip(a.ravel(), b.ravel()))
    return a.tobytes() == b.tobytes()


def compare(pa, pb):
    diffs = []
    with h5py.File(pa, "r") as fa, h5py.File(pb, "r") as fb:
        na, nb = names(fa), names(fb)
        for n in sorted(set(na) ^ set(nb)):
            diffs.append(f"{n}: only in {'A' if n in na else 'B'}")
        for n in sorted(set(na) & set(nb)):
            a, b = na[n], nb[n]
            if type(a) is not type(b):
                diffs.append(f"{n}: a {type(a).__name__} and a {type(b).__name__}")
                continue
            if isinstance(a, h5py.Dataset):
                for what in ("shape", "dtype", "maxshape", "chunks", "compression",
                             "compression_opts", "shuffle"):
                    if getattr(a, what) != getattr(b, what):
                        diffs.append(f"{n}: {what} {getattr(a, what)} != {getattr(b, what)}")
                if a.shape == b.shape and a.dtype == b.dtype and \
                        a[()].tobytes() != b[()].tobytes():
                    diffs.append(f"{n}: values differ")
            ka, kb = set(a.attrs.keys()), set(b.attrs.keys())
            for k in sorted(ka ^ kb):
                diffs.append(f"{n}@{k}: only in {'A' if k in ka else 'B'}")
            for k in sorted(ka & kb):
                if not same_value(a.attrs[k], b.attrs[k], fa, fb):
                    diffs.append(f"{n}@{k}: differs")
        for k in sorted(set(fa.attrs.keys()) | set(fb.attrs.keys())):
            if k not in fa.attrs or k not in fb.attrs or \
                    not same_value(fa.attrs[k], fb.attrs[k], fa, fb):
                diffs.append(f"/@{k}: differs")
    return diffs


if __name__ == "__main__":
    d = compare(sys.argv[1], sys.argv[2])
    for line in d:
        print(line)
    print(f"{len(d)} differences")
    sys.exit(1 if d else 0)
