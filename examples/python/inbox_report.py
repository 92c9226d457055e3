"""The inbox report with DataFrames: every message of a multichannel inbox through omni's
customer 360 engine, then pandas for the figures.

    python examples/python/inbox_report.py examples/data/inbox.jsonl

Prints contacts before and after deduplication, conversations, leads by channel and
temperature, opt-outs, the channel-switch matrix, and a few customers whose timelines cross
channels.
"""

import sys
from pathlib import Path

import pandas as pd

import omni


def main(path: str) -> None:
    engine = omni.Engine()
    result = engine.ingest_many(Path(path).read_text(encoding="utf-8"))
    print(f"omni inbox report (Python): {path}")
    print(f"{len(result['ingested'])} messages ingested, {len(result['rejections'])} rejected")
    for r in result["rejections"]:
        print(f"  rejected record {r['index']} ({r['id']}): [{r['kind']}] {r['message']}")

    dedup = engine.dedup_frame().iloc[0]
    print("\n== Customers")
    print(
        f"{dedup['contacts_before']} contacts as each channel keeps them -> "
        f"{dedup['customers_after']} customers after deduplication "
        f"({dedup['cross_channel_customers']} use two or more channels)"
    )
    customers = engine.customers_frame()
    conversations = engine.conversations_frame()
    print(f"{len(customers)} customers, {len(conversations)} conversations")
    print(conversations["state"].value_counts().to_string())

    print("\n== Leads by channel and temperature (sales opportunities)")
    leads = engine.leads_frame()
    sales = leads[leads["sales_opportunity"]]
    table = pd.crosstab(sales["channel"], sales["temperature"], margins=True, margins_name="total")
    print(table.to_string())
    print("\nnew leads by channel:")
    print(leads[leads["kind"] == "new_lead"]["channel"].value_counts().to_string())

    print("\n== Channels")
    channels = engine.channels_frame().set_index("channel")
    cols = ["inbound", "outbound", "customers", "conversations", "new_leads", "opt_outs", "median_first_response_secs"]
    print(channels[cols].to_string())

    print("\n== Opt-outs")
    opt_outs = leads[leads["kind"] == "opt_out"]
    print(opt_outs[["timestamp", "channel", "customer_id", "opt_out_channel"]].to_string(index=False))

    print("\n== Channel switches (from -> to)")
    switches = engine.switches_frame()
    if len(switches):
        print(switches.pivot_table(index="from", columns="to", values="count", fill_value=0).astype(int).to_string())

    print("\n== Customers across channels")
    cross = customers[customers["channel_count"] >= 3].sort_values(["channel_count", "messages"], ascending=False)
    for _, row in cross.head(3).iterrows():
        print(f"\n-- {row['name'] or 'no name'} ({row['customer_id']}): {row['messages']} messages, channels {row['channels']}")
        timeline = pd.DataFrame(
            [
                {
                    "time": t["message"]["timestamp"],
                    "dir": "<-" if t["message"]["direction"] == "inbound" else "->",
                    "channel": t["message"]["channel"],
                    "kind": t["lead"]["kind"],
                    "text": (t["message"].get("text") or t["message"].get("subject") or "")[:50],
                }
                for t in engine.timeline(row["customer_id"])
            ]
        )
        print(timeline.head(10).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/data/inbox.jsonl")
