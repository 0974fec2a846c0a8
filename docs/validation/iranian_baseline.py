#!/usr/bin/python3
"""The baseline for the Iranian churn data (docs/validation.md): a logistic regression on the raw features of
months 1-9, churn at month 12, judged by 5-fold cross-validated ROC AUC (the data has a single date, so no
out-of-time split exists). Needs Debian's python3-sklearn.
Usage: /usr/bin/python3 iranian_baseline.py ../../../shared/datasets/iranian-churn/Customer_Churn.csv"""
import sys, csv
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

rows = list(csv.reader(open(sys.argv[1])))
header = ['_'.join(h.lower().split()) for h in rows[0]]
rows = [r for r in rows[1:] if r]
features = ["call_failure", "complains", "subscription_length", "seconds_of_use", "frequency_of_use", "frequency_of_sms",
            "distinct_called_numbers", "customer_value", "charge_amount", "tariff_plan", "status", "age_group"]
x = [[float(r[header.index(f)]) for f in features] for r in rows]
y = [r[header.index('churn')] == '1' for r in rows]
p = cross_val_predict(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=10000)), x, y,
                      cv=StratifiedKFold(5, shuffle=True, random_state=0), method='predict_proba')[:, 1]
print(f"{len(rows)} customers, {sum(y)} churned; baseline logistic regression on {len(features)} raw features, 5-fold CV AUC: {roc_auc_score(y, p):.3f}")
