//! Figures over everything an engine holds: per channel (messages, customers, conversations,
//! leads, response times), how customers move between channels, and how many contacts
//! deduplication turned into how many customers.

use super::State;
use crate::classify::{Kind, Temperature};
use crate::message::{Channel, Direction};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Figures for one channel.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    /// The channel.
    pub channel: String,
    /// Messages, both ways.
    pub messages: usize,
    /// Messages from customers.
    pub inbound: usize,
    /// Messages to customers.
    pub outbound: usize,
    /// Customers with a message here.
    pub customers: usize,
    /// Conversations with a message here.
    pub conversations: usize,
    /// Conversations that started here.
    pub conversations_started: usize,
    /// New leads (messages classified `new_lead`).
    pub new_leads: usize,
    /// Sales opportunities (new leads and existing customers wanting to buy).
    pub sales_opportunities: usize,
    /// Hot, warm and cold sales opportunities.
    pub hot: usize,
    /// Warm sales opportunities.
    pub warm: usize,
    /// Cold sales opportunities.
    pub cold: usize,
    /// Opt-outs.
    pub opt_outs: usize,
    /// Median seconds to our first answer, for conversations that started here.
    pub median_first_response_secs: Option<i64>,
    /// Mean seconds to our first answer, for conversations that started here.
    pub mean_first_response_secs: Option<f64>,
}

/// How often customers wrote on `to` right after writing on `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSwitch {
    /// The channel of the earlier inbound message.
    pub from: String,
    /// The channel of the next inbound message.
    pub to: String,
    /// How many times.
    pub count: usize,
    /// How many customers did it.
    pub customers: usize,
}

/// Contacts before deduplication and customers after.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedupStats {
    /// Messages held.
    pub messages: usize,
    /// Contacts as each channel alone would keep them: distinct `(channel, sender)` pairs,
    /// the sender being its first identifier (a message without one counts alone).
    pub contacts_before: usize,
    /// Customers after identity resolution (with at least one message).
    pub customers_after: usize,
    /// Customers who used two or more channels.
    pub cross_channel_customers: usize,
    /// Customers formed by merging two or more channel contacts.
    pub merged_customers: usize,
}

/// Everything [`Engine::analytics`](super::Engine::analytics) returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    /// Per channel, by channel name.
    pub channels: Vec<ChannelStats>,
    /// Channel switches between consecutive inbound messages of a customer, most frequent
    /// first.
    pub switches: Vec<ChannelSwitch>,
    /// Before and after deduplication.
    pub dedup: DedupStats,
}

pub(crate) fn compute(s: &State) -> Analytics {
    let mut by_channel: BTreeMap<String, ChannelStats> = BTreeMap::new();
    let mut customers_of: BTreeMap<String, FxHashSet<&str>> = BTreeMap::new();
    let mut convs_of: BTreeMap<String, FxHashSet<&str>> = BTreeMap::new();
    let mut contacts: FxHashSet<(String, String)> = FxHashSet::default();
    // Per customer: inbound (time, id, channel), and channel contacts.
    type Inbound<'a> = Vec<(chrono::DateTime<chrono::Utc>, &'a str, Channel)>;
    let mut inbound_of: FxHashMap<&str, Inbound<'_>> = FxHashMap::default();
    let mut contacts_of: FxHashMap<&str, FxHashSet<(String, String)>> = FxHashMap::default();
    let mut channels_of: FxHashMap<&str, FxHashSet<Channel>> = FxHashMap::default();
    for st in s.messages.values() {
        let m = &st.message();
        let id = st.id();
        let name = m.channel.name().to_string();
        let customer = s.resolver.customer_of(id).unwrap_or(id);
        let conv = s.threader.conversation_of(id).unwrap_or(id);
        let c = by_channel.entry(name.clone()).or_default();
        c.channel = name.clone();
        c.messages += 1;
        match m.direction {
            Direction::Inbound => c.inbound += 1,
            Direction::Outbound => c.outbound += 1,
        }
        let lead = st.lead();
        if lead.kind == Kind::NewLead {
            c.new_leads += 1;
        }
        if lead.kind == Kind::OptOut {
            c.opt_outs += 1;
        }
        if lead.sales_opportunity {
            c.sales_opportunities += 1;
            match lead.temperature {
                Temperature::Hot => c.hot += 1,
                Temperature::Warm => c.warm += 1,
                Temperature::Cold => c.cold += 1,
            }
        }
        customers_of
            .entry(name.clone())
            .or_default()
            .insert(customer);
        convs_of.entry(name.clone()).or_default().insert(conv);
        let sender = m
            .customer()
            .identifiers
            .first()
            .map_or_else(|| format!("message:{}", m.id), |i| i.to_string());
        let key = (name, sender);
        contacts.insert(key.clone());
        contacts_of.entry(customer).or_default().insert(key);
        channels_of
            .entry(customer)
            .or_default()
            .insert(m.channel.clone());
        if m.direction == Direction::Inbound {
            inbound_of
                .entry(customer)
                .or_default()
                .push((m.timestamp, id, m.channel.clone()));
        }
    }
    for (name, set) in customers_of {
        by_channel.get_mut(&name).expect("seen").customers = set.len();
    }
    for (name, set) in convs_of {
        by_channel.get_mut(&name).expect("seen").conversations = set.len();
    }
    let mut responses: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for conv in s.threader.conversations() {
        if let Some(first) = conv.channels.first() {
            let name = first.name().to_string();
            if let Some(c) = by_channel.get_mut(&name) {
                c.conversations_started += 1;
            }
            if let Some(r) = conv.first_response_secs {
                responses.entry(name).or_default().push(r);
            }
        }
    }
    for (name, mut list) in responses {
        if let Some(c) = by_channel.get_mut(&name) {
            list.sort_unstable();
            c.median_first_response_secs = list.get(list.len() / 2).copied();
            c.mean_first_response_secs =
                Some(list.iter().map(|&x| x as f64).sum::<f64>() / list.len() as f64);
        }
    }
    let mut switches: BTreeMap<(String, String), (usize, FxHashSet<&str>)> = BTreeMap::new();
    for (customer, list) in &mut inbound_of {
        list.sort();
        for w in list.windows(2) {
            if w[0].2 != w[1].2 {
                let e = switches
                    .entry((w[0].2.name().to_string(), w[1].2.name().to_string()))
                    .or_default();
                e.0 += 1;
                e.1.insert(customer);
            }
        }
    }
    let mut switches: Vec<ChannelSwitch> = switches
        .into_iter()
        .map(|((from, to), (count, set))| ChannelSwitch {
            from,
            to,
            count,
            customers: set.len(),
        })
        .collect();
    switches.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((&a.from, &a.to).cmp(&(&b.from, &b.to)))
    });
    let dedup = DedupStats {
        messages: s.messages.len(),
        contacts_before: contacts.len(),
        customers_after: contacts_of.len(),
        cross_channel_customers: channels_of.values().filter(|c| c.len() > 1).count(),
        merged_customers: contacts_of.values().filter(|c| c.len() > 1).count(),
    };
    Analytics {
        channels: by_channel.into_values().collect(),
        switches,
        dedup,
    }
}
