#!/usr/bin/python3
"""The baseline a data scientist would build for CDNOW (docs/validation.md): a logistic regression on the raw
recency/frequency/monetary features, on the same observation dates, lapse labels and time split as `chs suggest`.
Needs Debian's python3-sklearn. Usage: /usr/bin/python3 cdnow_baseline.py ../../../shared/datasets/cdnow/CDNOW_master.txt"""
import sys, datetime as dt, collections
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

orders = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) < 4 or not p[0].isdigit():
        continue
    orders[p[0]].append((dt.date(int(p[1][:4]), int(p[1][4:6]), int(p[1][6:])), float(p[3])))

start, end, every, horizon, lapse = dt.date(1997, 6, 30), dt.date(1998, 3, 31), 30, 90, 90
dates = []
d = start
while d <= end:
    dates.append(d)
    d += dt.timedelta(days=every)

rows = []  # (date index, features, churned)
for i, t in enumerate(dates):
    for c, os in orders.items():
        past = [o for o in os if o[0] <= t]
        if not any(t - dt.timedelta(days=lapse) < o[0] for o in past):
            continue
        last = max(o[0] for o in past)
        first = min(o[0] for o in past)
        y365 = [o for o in past if o[0] > t - dt.timedelta(days=365)]
        y180 = [o for o in past if o[0] > t - dt.timedelta(days=180)]
        spend = sum(a for _, a in y365)
        features = [(t - last).days, len(y180), len(y365), spend, spend / max(len(y365), 1), (t - first).days]
        churned = not any(t < o[0] <= t + dt.timedelta(days=horizon) for o in os)
        rows.append((i, features, churned))

first_test = max(1, -(-len(dates) * 2 // 3))
train_idx = [i for i in range(first_test) if dates[i] + dt.timedelta(days=horizon) <= dates[first_test]]
train = [r for r in rows if r[0] in train_idx]
test = [r for r in rows if r[0] >= first_test]
scaler = StandardScaler().fit([r[1] for r in train])
model = LogisticRegression(C=1.0, max_iter=10000).fit(scaler.transform([r[1] for r in train]), [r[2] for r in train])
p = model.predict_proba(scaler.transform([r[1] for r in test]))[:, 1]
print(f"observations {len(rows)}, train dates {len(train_idx)} ({len(train)} obs), test dates {len(dates) - first_test} ({len(test)} obs)")
print(f"baseline logistic regression on raw RFM features, out-of-time AUC: {roc_auc_score([r[2] for r in test], p):.3f}")
