//! Threading a batch of messages in one call, resolving their customers first when the caller
//! does not know them (what `omni.thread(messages)` in Python and `omni_thread_messages` in C
//! run).

use super::{ThreadConfig, Threader};
use crate::error::Result;
use crate::message::{Message, Rejection};
use crate::resolve::{Observation, Resolver, ResolverConfig};
use rustc_hash::{FxHashMap, FxHashSet};

/// Each message's customer, as identity resolution found it.
#[derive(Clone, Debug)]
pub struct CustomerAssignment {
    /// Per message, in input order: its customer id; empty when no customer could be found (no
    /// identifiers of its own and no link to a message that has one).
    pub customer_ids: Vec<String>,
    /// Per message that had no identifiers of its own: `(index, how its customer was found, or
    /// why it has none)`.
    pub notes: Vec<(usize, String)>,
    /// The resolver, holding one record per message that had identifiers.
    pub resolver: Resolver,
}

/// Whether an observation names anyone: a phone, an email, a handle or an identifier.
fn identifies(obs: &Observation) -> bool {
    !(obs.identifiers.is_empty()
        && obs.phones.is_empty()
        && obs.emails.is_empty()
        && obs.handles.is_empty())
}

/// Finds each message's customer: identity resolution over each message's customer party
/// ([`Observation::from_message`]: the sender of an inbound message, the recipient of an
/// outbound one, and a web form's fields). A message that names nobody takes the customer of a
/// message it is explicitly linked to (an email it replies to or that replies to it, a
/// messenger reply, the same session or provider conversation), choosing the earliest such
/// message (by time, then id); failing that its customer id is empty.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for a bad resolver
/// configuration.
pub fn resolve_message_customers(
    messages: &[Message],
    config: ResolverConfig,
) -> Result<CustomerAssignment> {
    let mut resolver = Resolver::new(config)?;
    let observations: Vec<Observation> = messages.iter().map(Observation::from_message).collect();
    let named: Vec<bool> = observations.iter().map(identifies).collect();
    resolver.add_many(
        observations
            .into_iter()
            .zip(&named)
            .filter(|(_, &n)| n)
            .map(|(o, _)| o)
            .collect(),
    )?;
    let mut customer_ids: Vec<String> = messages
        .iter()
        .zip(&named)
        .map(|(m, &n)| {
            if n {
                resolver.customer_of(&m.id).unwrap_or_default().to_string()
            } else {
                String::new()
            }
        })
        .collect();

    // Explicit links between messages, both ways.
    let mut by_message_id: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    let mut by_id: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    let mut by_session: FxHashMap<(u8, &str), Vec<usize>> = FxHashMap::default();
    for (i, m) in messages.iter().enumerate() {
        by_id.entry(m.id.as_str()).or_default().push(i);
        if let Some(id) = m.refs.message_id.as_deref() {
            by_message_id.entry(clean(id)).or_default().push(i);
        }
        if let Some(s) = m
            .refs
            .session_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            by_session.entry((0, s)).or_default().push(i);
        }
        if let Some(s) = m
            .refs
            .conversation_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            by_session.entry((1, s)).or_default().push(i);
        }
    }
    let mut linked: Vec<Vec<usize>> = vec![Vec::new(); messages.len()];
    for (i, m) in messages.iter().enumerate() {
        let mut targets: Vec<usize> = Vec::new();
        for r in m.refs.references.iter().chain(&m.refs.in_reply_to) {
            targets.extend(by_message_id.get(clean(r)).into_iter().flatten());
        }
        if let Some(r) = m.refs.reply_to_id.as_deref() {
            targets.extend(by_id.get(r.trim()).into_iter().flatten());
        }
        for t in targets {
            if t != i {
                linked[i].push(t);
                linked[t].push(i);
            }
        }
        for key in [
            m.refs.session_id.as_deref().map(|s| (0u8, s.trim())),
            m.refs.conversation_id.as_deref().map(|s| (1u8, s.trim())),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(others) = by_session.get(&key) {
                linked[i].extend(others.iter().copied().filter(|&o| o != i));
            }
        }
    }
    let order = |a: usize, b: usize| {
        messages[a]
            .timestamp
            .cmp(&messages[b].timestamp)
            .then_with(|| messages[a].id.cmp(&messages[b].id))
    };
    let mut notes: Vec<(usize, String)> = Vec::new();
    let mut how: FxHashMap<usize, usize> = FxHashMap::default();
    // Passes over the unnamed messages, each from the state at its start, until nothing changes.
    loop {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for i in (0..messages.len()).filter(|&i| customer_ids[i].is_empty()) {
            if let Some(&best) = linked[i]
                .iter()
                .filter(|&&t| !customer_ids[t].is_empty())
                .min_by(|&&a, &&b| order(a, b))
            {
                found.push((i, best));
            }
        }
        if found.is_empty() {
            break;
        }
        for (i, t) in found {
            customer_ids[i] = customer_ids[t].clone();
            how.insert(i, t);
        }
    }
    for (i, m) in messages.iter().enumerate() {
        if named[i] {
            continue;
        }
        let note = match how.get(&i) {
            Some(&t) => format!(
                "messages[{i}]: names no customer; customer {:?} taken from linked message {:?}",
                customer_ids[i], messages[t].id
            ),
            None => format!("messages[{i}]: names no customer and links to no message that does; it is its own customer {:?}", m.id),
        };
        notes.push((i, note));
    }
    Ok(CustomerAssignment {
        customer_ids,
        notes,
        resolver,
    })
}

fn clean(id: &str) -> &str {
    let t = id.trim();
    let t = t.strip_prefix('<').unwrap_or(t);
    t.strip_suffix('>').unwrap_or(t).trim()
}

/// The result of [`thread_messages`].
#[derive(Clone, Debug)]
pub struct Threading {
    /// The threader holding every accepted message (keep adding to it, or query it).
    pub threader: Threader,
    /// Per input message, in input order: its conversation id (`None` when rejected).
    pub conversation_ids: Vec<Option<String>>,
    /// Per input message: the customer it was threaded under.
    pub customer_ids: Vec<String>,
    /// Messages that could not be threaded (no id, too large), with their position.
    pub rejections: Vec<Rejection>,
    /// How customers were found for messages that named none (see
    /// [`resolve_message_customers`]).
    pub notes: Vec<(usize, String)>,
}

/// Threads a batch of messages into conversations. With `customer_ids` (one per message; an
/// empty id makes a message its own customer) they are used as given; without, customers are
/// resolved first with [`resolve_message_customers`] under `resolver_config`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for a bad configuration or
/// a `customer_ids` of another length than `messages`.
///
/// # Example
/// ```
/// use omni_core::thread::{thread_messages, ThreadConfig};
/// use omni_core::message::parse_messages;
///
/// let messages = parse_messages(r#"
/// {"id":"f1","channel":"web_form","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","form_fields":{"Телефон":"8 912 345-67-89"}}
/// {"id":"w1","channel":"whatsapp","direction":"inbound","timestamp":"2024-05-01T11:00:00Z","from":{"identifiers":[{"kind":"phone","value":"+79123456789"}]}}
/// "#).unwrap();
/// let t = thread_messages(&messages, None, ThreadConfig::default(), Default::default()).unwrap();
/// assert_eq!(t.conversation_ids, [Some("f1".to_string()), Some("f1".to_string())]);
/// ```
pub fn thread_messages(
    messages: &[Message],
    customer_ids: Option<Vec<String>>,
    config: ThreadConfig,
    resolver_config: ResolverConfig,
) -> Result<Threading> {
    let mut threader = Threader::new(config)?;
    let (customer_ids, notes) = match customer_ids {
        Some(ids) => (ids, Vec::new()),
        None => {
            let a = resolve_message_customers(messages, resolver_config)?;
            (a.customer_ids, a.notes)
        }
    };
    let outcome = threader.add_many(messages, &customer_ids)?;
    let rejected: FxHashSet<usize> = outcome.rejections.iter().map(|r| r.index).collect();
    let conversation_ids = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if rejected.contains(&i) {
                None
            } else {
                threader.conversation_of(&m.id).map(str::to_string)
            }
        })
        .collect();
    let customer_ids = messages
        .iter()
        .zip(customer_ids)
        .map(|(m, c)| {
            if c.trim().is_empty() {
                m.id.clone()
            } else {
                c.trim().to_string()
            }
        })
        .collect();
    Ok(Threading {
        threader,
        conversation_ids,
        customer_ids,
        rejections: outcome.rejections,
        notes,
    })
}

/// [`thread_messages`] over a batch in the message JSON format (array, envelope or JSON lines,
/// read leniently): a record that cannot be read is a rejection with its position, and
/// `customer_ids`, when given, has one entry per input record (rejected ones included). The
/// per-message results of [`Threading`] are per input record.
///
/// # Errors
/// As [`thread_messages`]; [`ErrorKind::InvalidJson`](crate::ErrorKind::InvalidJson) when the
/// batch as a whole cannot be split into records; a `customer_ids` of the wrong length.
pub fn thread_messages_json(
    text: &str,
    customer_ids: Option<Vec<String>>,
    config: ThreadConfig,
    resolver_config: ResolverConfig,
) -> Result<Threading> {
    let batch = crate::message::parse_messages_lenient(text)?;
    let total = batch.messages.len() + batch.rejections.len();
    let rejected: FxHashSet<usize> = batch.rejections.iter().map(|r| r.index).collect();
    let positions: Vec<usize> = (0..total).filter(|i| !rejected.contains(i)).collect();
    let given = match customer_ids {
        Some(ids) if ids.len() != total => {
            return Err(crate::Error::new(
                crate::ErrorKind::InvalidArgument,
                format!(
                    "{total} messages but {} customer ids; give one customer id per message",
                    ids.len()
                ),
            ))
        }
        Some(ids) => Some(positions.iter().map(|&p| ids[p].clone()).collect()),
        None => None,
    };
    let mut t = thread_messages(&batch.messages, given, config, resolver_config)?;
    let mut conversation_ids = vec![None; total];
    let mut customer_ids = vec![String::new(); total];
    for (k, &p) in positions.iter().enumerate() {
        conversation_ids[p] = t.conversation_ids[k].take();
        customer_ids[p] = std::mem::take(&mut t.customer_ids[k]);
    }
    let mut rejections = batch.rejections;
    for mut r in std::mem::take(&mut t.rejections) {
        r.index = positions[r.index];
        rejections.push(r);
    }
    rejections.sort_by_key(|r| r.index);
    for (i, note) in &mut t.notes {
        let p = positions[*i];
        *note = note.replacen(&format!("messages[{i}]"), &format!("messages[{p}]"), 1);
        *i = p;
    }
    t.conversation_ids = conversation_ids;
    t.customer_ids = customer_ids;
    t.rejections = rejections;
    Ok(t)
}
