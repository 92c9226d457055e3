//! The append-only history of customers: every merge and split, by rule or by hand, with the
//! record links that caused it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened to a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Customers became one; `customer_id` survived, `others` were absorbed (and stay
    /// resolvable as aliases).
    Merge,
    /// A customer became several; `customer_id` is the one split, `others` the new parts.
    Split,
    /// Two customers were marked as never to be merged.
    NeverMerge,
}

/// Who decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// Matching rules, on evidence.
    Rule,
    /// A person, through a manual operation.
    Hand,
}

/// One entry in the merge history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// Position in the resolver's history, from 1; unique and increasing.
    pub seq: u64,
    /// When: the time of the record that caused it, or the time given to a manual operation.
    #[serde(with = "crate::message::optional_timestamp")]
    pub at: Option<DateTime<Utc>>,
    /// What happened.
    pub kind: EventKind,
    /// Who decided.
    pub by: Actor,
    /// The surviving customer of a merge; the customer that was split; the first of a
    /// never-merge pair.
    pub customer_id: String,
    /// The absorbed customers of a merge; the other parts of a split; the second of a
    /// never-merge pair.
    pub others: Vec<String>,
    /// The record pairs whose links made the merge (explain each with `Resolver::explain`), or
    /// that a split or never-merge now keeps apart.
    pub links: Vec<(String, String)>,
    /// The event in words.
    pub reason: String,
}
