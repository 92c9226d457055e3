//! A conversation's state and timings, read from its messages in order: who owes the next
//! reply, whether the matter is closed, first and last contact each way, our first response.
//!
//! The state walks the messages oldest first:
//! - an explicit `resolved`/`closed` event, a payment or order confirmation (ours, or from a
//!   payment system), or the customer's own words of closure (`спасибо, получил`,
//!   `thanks, that solved it`) make it **resolved**;
//! - an explicit `reopened` event makes it **open**;
//! - a call or visit that took place leaves it **open** (both sides talked, nobody owes a reply);
//! - any other inbound message makes it **waiting for us** (it reopens a resolved conversation);
//! - any other outbound message makes it **waiting for the customer**, except that our own
//!   messages after the matter was resolved (a thank-you, a survey) leave it resolved.

use super::record::Record;
use super::text::Signals;
use super::ConversationState;
use crate::message::{Channel, Direction};
use chrono::{DateTime, Utc};

/// What is kept about a conversation between changes: its state, what resolved it, what names
/// it. (Timings and channels are read from the messages when asked for: see [`timings`].)
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Summary {
    pub state: ConversationState,
    /// The slot of the message that last resolved it, while it is resolved.
    pub resolved_by: Option<u32>,
    /// The slot whose topic names the conversation.
    pub topic: Option<u32>,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            state: ConversationState::Open,
            resolved_by: None,
            topic: None,
        }
    }
}

/// A conversation's timings and channels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Timings {
    pub first_inbound: Option<DateTime<Utc>>,
    pub last_inbound: Option<DateTime<Utc>>,
    pub first_outbound: Option<DateTime<Utc>>,
    pub last_outbound: Option<DateTime<Utc>>,
    /// Seconds from the first inbound message to our first outbound message after it.
    pub first_response_secs: Option<i64>,
    /// Channels in order of first use.
    pub channels: Vec<Channel>,
}

/// The timings and channels of the messages `members` (slots, oldest first).
pub(crate) fn timings(members: &[u32], records: &[Option<Record>]) -> Timings {
    let mut t = Timings {
        first_inbound: None,
        last_inbound: None,
        first_outbound: None,
        last_outbound: None,
        first_response_secs: None,
        channels: Vec::new(),
    };
    for r in members.iter().filter_map(|&m| records[m as usize].as_ref()) {
        let channel = r.channel();
        if !t.channels.contains(&channel) {
            t.channels.push(channel);
        }
        match r.direction {
            Direction::Inbound => {
                t.first_inbound.get_or_insert(r.time);
                t.last_inbound = Some(r.time);
            }
            Direction::Outbound => {
                t.first_outbound.get_or_insert(r.time);
                t.last_outbound = Some(r.time);
                if let (None, Some(asked)) = (t.first_response_secs, t.first_inbound) {
                    if r.time >= asked {
                        t.first_response_secs = Some((r.time - asked).num_seconds());
                    }
                }
            }
        }
    }
    t
}

/// Summarises the messages `members` (slots, oldest first).
pub(crate) fn summarize(members: &[u32], records: &[Option<Record>]) -> Summary {
    let mut s = Summary::default();
    let mut topic_from_subject = false;
    for &slot in members {
        let Some(r) = records[slot as usize].as_ref() else {
            continue;
        };
        // The first subject names the conversation; failing that, the first inbound text.
        let has_subject = r.email.as_ref().is_some_and(|e| e.subject.is_some());
        if r.topic().is_some()
            && (s.topic.is_none() && (has_subject || r.direction == Direction::Inbound)
                || has_subject && !topic_from_subject)
        {
            s.topic = Some(slot);
            topic_from_subject = has_subject;
        }
        let sig = r.signals;
        let confirmed_by_us_or_system = sig.confirms_deal();
        let next = if sig.has(Signals::REOPENS) {
            ConversationState::Open
        } else if sig.has(Signals::RESOLVES) || confirmed_by_us_or_system {
            ConversationState::Resolved
        } else if sig.has(Signals::TALKED) {
            ConversationState::Open
        } else if r.direction == Direction::Inbound {
            ConversationState::WaitingForUs
        } else if s.state == ConversationState::Resolved {
            ConversationState::Resolved
        } else {
            ConversationState::WaitingForCustomer
        };
        if next == ConversationState::Resolved && s.state != ConversationState::Resolved {
            s.resolved_by = Some(slot);
        } else if next != ConversationState::Resolved {
            s.resolved_by = None;
        }
        s.state = next;
    }
    s
}
