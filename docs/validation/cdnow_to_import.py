#!/usr/bin/python3
"""CDNOW as an import file (docs/validation.md): one order per line of CDNOW_master.txt, as the `orders` kind.
Usage: /usr/bin/python3 cdnow_to_import.py CDNOW_master.txt orders.csv"""
import sys, collections

seen = collections.Counter()
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    out.write("order_id,account_id,placed_at,amount\n")
    for line in src:
        p = line.split()
        if len(p) < 4 or not p[0].isdigit():
            continue
        customer, day, dollars = p[0], p[1], p[3]
        k = seen[(customer, day)]
        seen[(customer, day)] += 1
        out.write(f"{customer}-{day}-{k},C{customer},{day[:4]}-{day[4:6]}-{day[6:]},{dollars}\n")
