#!/usr/bin/python3
"""The Iranian telecom churn data as import files (docs/validation.md): each customer an account (tariff as plan, age
group as segment), the months 1-9 aggregates as metrics dated 2025-09-30, a subscription started 2025-01-01 and, for a
churner, a churn on 2025-12-31. Usage: /usr/bin/python3 iranian_to_import.py Customer_Churn.csv FOLDER"""
import sys, os, csv

features = ["call_failure", "complains", "subscription_length", "seconds_of_use", "frequency_of_use",
            "frequency_of_sms", "distinct_called_numbers", "customer_value"]
os.makedirs(sys.argv[2], exist_ok=True)
with open(sys.argv[1], newline="") as src:
    rows = list(csv.reader(src))
header = ["_".join(h.lower().split()) for h in rows[0]]
col = {h: i for i, h in enumerate(header)}
with open(os.path.join(sys.argv[2], "accounts.csv"), "w") as accounts, \
        open(os.path.join(sys.argv[2], "metrics.csv"), "w") as metrics, \
        open(os.path.join(sys.argv[2], "subscriptions.csv"), "w") as subscriptions:
    accounts.write("account_id,plan,segment\n")
    metrics.write("account_id,metric,date,value\n")
    subscriptions.write("account_id,kind,occurred_on\n")
    for i, r in enumerate(r for r in rows[1:] if r):
        account = f"IR{i + 1:04d}"
        accounts.write(f"{account},tariff-{r[col['tariff_plan']]},age-{r[col['age_group']]}\n")
        for f in features:
            metrics.write(f"{account},{f},2025-09-30,{r[col[f]]}\n")
        subscriptions.write(f"{account},started,2025-01-01\n")
        if r[col["churn"]] == "1":
            subscriptions.write(f"{account},churned,2025-12-31\n")
