//! The domain rules around the model: what a kind may be given the facts, the rules that always
//! hold (outbound, opt-outs, auto-replies, test submissions, missed calls, wanting), the intents,
//! the score with its signals, and the temperature. The order is documented on the module
//! [`classify`](super).

use super::features::{is_missed_call, Analysis};
use super::lexicon::{channel_at, Cue, Hit};
use super::model::Scores;
use super::{Assessment, ClassifyView, Intent, Kind, LeftContact, Signal, SignalName, Temperature};
use crate::message::{Channel, Direction};

/// Opt-out and auto-reply phrases decide alone only in messages up to this many words; in longer
/// ones (newsletters with an "unsubscribe" footer) the model must agree.
const RULE_WORDS: u32 = 40;

/// Score from which a lead is hot, and warm.
const HOT: i32 = 60;
const WARM: i32 = 30;

fn phrase_signal(cue: Cue) -> Option<(SignalName, i32)> {
    Some(match cue {
        Cue::Intent(Intent::Purchase) => (SignalName::PurchasePhrase, 15),
        Cue::Intent(Intent::Price) => (SignalName::PricePhrase, 10),
        Cue::Intent(Intent::Callback) => (SignalName::CallbackPhrase, 12),
        Cue::Intent(Intent::Booking) => (SignalName::BookingPhrase, 15),
        Cue::Intent(Intent::OrderStatus) => (SignalName::OrderStatusPhrase, 0),
        Cue::Intent(Intent::Payment) => (SignalName::PaymentPhrase, 5),
        Cue::Intent(Intent::Complaint) => (SignalName::ComplaintPhrase, -10),
        Cue::Intent(Intent::Cancellation) => (SignalName::CancellationPhrase, -10),
        Cue::Intent(Intent::Greeting) => (SignalName::GreetingPhrase, 0),
        Cue::Intent(Intent::OptOut) | Cue::OptOut => (SignalName::OptOutPhrase, 0),
        Cue::AutoReply => (SignalName::AutoReplyPhrase, 0),
        Cue::Spam => (SignalName::SpamPhrase, 0),
        Cue::Urgency => (SignalName::Urgency, 10),
        Cue::Intent(Intent::Other)
        | Cue::Test
        | Cue::Bulk
        | Cue::Unit
        | Cue::Currency
        | Cue::Block
        | Cue::Channel(_) => return None,
    })
}

fn channel_points(c: &Channel) -> i32 {
    match c {
        Channel::Visit => 20,
        Channel::Voice | Channel::WebForm => 15,
        Channel::LiveChat => 10,
        Channel::Whatsapp | Channel::Telegram | Channel::Viber | Channel::Chatbot => 8,
        Channel::Sms | Channel::Email | Channel::Skype => 5,
        Channel::Instagram | Channel::Vk | Channel::Facebook => 5,
        _ => 3,
    }
}

/// Site widgets where a test submission is typed by the site's own staff.
fn is_site_widget(c: &Channel) -> bool {
    matches!(c, Channel::WebForm | Channel::LiveChat | Channel::Chatbot)
}

fn evidence(a: &Analysis, h: &Hit) -> String {
    let n = &a.norm;
    let first = n.token_at(h.start);
    let last = n.token_at(h.end.saturating_sub(1));
    match (n.tokens.get(first), n.tokens.get(last)) {
        (Some(f), Some(l)) if f.orig.start <= l.orig.end => {
            a.doc[f.orig.start..l.orig.end].to_string()
        }
        _ => String::new(),
    }
}

fn allowed(view: &ClassifyView<'_>, kind: Kind) -> bool {
    let known = view.known_customer || view.open_conversation;
    match kind {
        Kind::NewLead => !known,
        Kind::ExistingCustomer => known,
        Kind::NotApplicable => !known && *view.channel != Channel::WebForm,
        _ => true,
    }
}

/// Decides the kind, intents, score and signals of an analysed message.
pub(crate) fn decide(view: &ClassifyView<'_>, a: Analysis, s: &Scores) -> Assessment {
    let mut signals: Vec<Signal> = Vec::new();
    let known = view.known_customer || view.open_conversation;

    // Phrases: intents and the cues the rules use, first evidence of each.
    let mut intents: Vec<Intent> = Vec::new();
    let mut seen: Vec<Cue> = Vec::new();
    let mut opt_out_hit: Option<&Hit> = None;
    let mut auto_hit: Option<&Hit> = None;
    for h in &a.hits {
        match h.cue {
            Cue::Intent(i) if !intents.contains(&i) => intents.push(i),
            Cue::OptOut => {
                opt_out_hit.get_or_insert(h);
            }
            Cue::AutoReply => {
                auto_hit.get_or_insert(h);
            }
            _ => {}
        }
    }
    let lexicon_intents = intents.clone();
    if s.intent_heads {
        for (i, p) in Intent::ALL.iter().zip(s.intents) {
            if p >= 0.5 && *i != Intent::Other && !intents.contains(i) {
                intents.push(*i);
            }
        }
    }

    let p_of = |k: Kind| s.kinds[Kind::ALL.iter().position(|x| *x == k).unwrap_or(0)];
    let missed_call = *view.channel == Channel::Voice
        && view.direction == Direction::Inbound
        && view.call_status.is_some_and(is_missed_call);
    let short = a.words <= RULE_WORDS;
    let model_top = Kind::ALL.iter().copied().zip(s.kinds).fold(
        (Kind::NotApplicable, -1.0f32),
        |best, (k, p)| {
            if p > best.1 {
                (k, p)
            } else {
                best
            }
        },
    );

    // The kind.
    let mut confidence = 1.0f32;
    let kind = if view.direction == Direction::Outbound {
        signals.push(Signal {
            name: SignalName::Outbound,
            evidence: "outbound".into(),
            contribution: 0,
        });
        Kind::NotApplicable
    } else if a.opt_out_keyword.is_some()
        || (opt_out_hit.is_some() && (short || model_top.0 == Kind::OptOut))
    {
        Kind::OptOut
    } else if auto_hit.is_some() && (short || model_top.0 == Kind::AutoReply) && !known
        || auto_hit.is_some() && model_top.0 == Kind::AutoReply
    {
        Kind::AutoReply
    } else if a.test_only && is_site_widget(view.channel) {
        signals.push(Signal {
            name: SignalName::TestSubmission,
            evidence: a.doc.trim().chars().take(80).collect(),
            contribution: 0,
        });
        Kind::Spam
    } else {
        let (mut k, p) = Kind::ALL
            .iter()
            .copied()
            .zip(s.kinds)
            .filter(|(k, _)| allowed(view, *k))
            .fold((Kind::Support, -1.0f32), |best, (k, p)| {
                if p > best.1 {
                    (k, p)
                } else {
                    best
                }
            });
        confidence = p;
        // A web form is the first active step a visitor takes: spam needs evidence (a spam
        // phrase, a link, look-alike letters) or a confident model.
        let spam_evidence = a.hits.iter().any(|h| h.cue == Cue::Spam)
            || a.links > 0
            || a.norm.mixed_script_words > 0
            || p_of(Kind::Spam) >= 0.8;
        if k == Kind::Spam && *view.channel == Channel::WebForm && !known && !spam_evidence {
            k = Kind::NewLead;
            confidence = p_of(Kind::NewLead);
        }
        let wanting = lexicon_intents.iter().any(|i| {
            matches!(
                i,
                Intent::Purchase | Intent::Price | Intent::Booking | Intent::Callback
            )
        });
        if missed_call && !known && matches!(k, Kind::NotApplicable | Kind::Support) {
            k = Kind::NewLead;
            confidence = 1.0;
        } else if missed_call && known && k == Kind::Support && a.words < 3 {
            k = Kind::ExistingCustomer;
            confidence = 1.0;
        } else if k == Kind::NotApplicable && wanting && !known {
            k = Kind::NewLead;
            confidence = p_of(Kind::NewLead).max(0.5);
        }
        k
    };
    if kind == Kind::OptOut && !intents.contains(&Intent::OptOut) {
        intents.push(Intent::OptOut);
    }
    if missed_call && matches!(kind, Kind::NewLead | Kind::ExistingCustomer) {
        if !intents.contains(&Intent::Callback) {
            intents.push(Intent::Callback);
        }
        signals.push(Signal {
            name: SignalName::MissedCall,
            evidence: view.call_status.unwrap_or("missed").to_string(),
            contribution: 25,
        });
    }
    if matches!(kind, Kind::Spam | Kind::AutoReply) || view.direction == Direction::Outbound {
        intents.clear();
    }
    // An opt-out wants nothing but to stop (and may be a complaint).
    if kind == Kind::OptOut {
        intents.retain(|i| matches!(i, Intent::OptOut | Intent::Complaint));
    }
    intents.sort();
    intents.dedup();
    // A greeting only counts when it is all the message says.
    if intents.len() > 1 {
        intents.retain(|i| *i != Intent::Greeting);
    }
    if intents.is_empty() {
        intents.push(Intent::Other);
    }

    // Signals: the model, the facts, the channel, phrases, contacts, amounts.
    let p_sales = p_of(Kind::NewLead) + p_of(Kind::ExistingCustomer);
    signals.push(Signal {
        name: SignalName::Model,
        evidence: format!("{} {:.2}", model_top.0, model_top.1),
        contribution: (35.0 * p_sales).round() as i32,
    });
    if view.known_customer {
        signals.push(Signal {
            name: SignalName::KnownCustomer,
            evidence: "known_customer".into(),
            contribution: 0,
        });
    }
    if view.open_conversation {
        signals.push(Signal {
            name: SignalName::OpenConversation,
            evidence: "open_conversation".into(),
            contribution: 0,
        });
    }
    signals.push(Signal {
        name: SignalName::Channel,
        evidence: view.channel.name().to_string(),
        contribution: channel_points(view.channel),
    });
    if !view.form_fields.is_empty() {
        signals.push(Signal {
            name: SignalName::FormSubmission,
            evidence: view
                .form_fields
                .keys()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            contribution: 5,
        });
    }
    for h in &a.hits {
        let cue = match h.cue {
            Cue::Intent(i) if !lexicon_intents.contains(&i) => continue,
            c => c,
        };
        if seen.contains(&cue) {
            continue;
        }
        if let Some((name, points)) = phrase_signal(cue) {
            seen.push(cue);
            signals.push(Signal {
                name,
                evidence: evidence(&a, h),
                contribution: points,
            });
        }
    }
    if let Some(c) = a.contacts.first() {
        signals.push(Signal {
            name: SignalName::Contact,
            evidence: c.contact.value.clone(),
            contribution: 10,
        });
    }
    if let Some(m) = a.money.first() {
        signals.push(Signal {
            name: SignalName::Money,
            evidence: a.doc[m.clone()].to_string(),
            contribution: 8,
        });
    }
    if let Some(q) = a.quantities.first() {
        signals.push(Signal {
            name: SignalName::Quantity,
            evidence: a.doc[q.clone()].to_string(),
            contribution: 8,
        });
    }
    if a.links > 0 {
        if let Some(t) = a
            .norm
            .tokens
            .iter()
            .find(|t| t.class == super::text::TokenClass::Url)
        {
            signals.push(Signal {
                name: SignalName::Link,
                evidence: a.doc[t.orig.clone()].to_string(),
                contribution: 0,
            });
        }
    }
    if let Some(span) = &a.opt_out_keyword {
        if !seen.contains(&Cue::OptOut) {
            signals.push(Signal {
                name: SignalName::OptOutPhrase,
                evidence: view.text[span.clone()].to_string(),
                contribution: 0,
            });
        }
    }

    let sales_opportunity = kind == Kind::NewLead
        || (kind == Kind::ExistingCustomer
            && intents
                .iter()
                .any(|i| matches!(i, Intent::Purchase | Intent::Price | Intent::Booking)));
    let raw: i32 = signals.iter().map(|s| s.contribution).sum();
    let cap = match kind {
        Kind::NewLead => 100,
        Kind::ExistingCustomer if sales_opportunity => 100,
        Kind::ExistingCustomer => WARM,
        Kind::Support => 20,
        _ => 0,
    };
    if raw > cap {
        signals.push(Signal {
            name: SignalName::KindPenalty,
            evidence: kind.name().to_string(),
            contribution: cap - raw,
        });
    }
    let score = raw.clamp(0, cap).clamp(0, 100);
    let temperature = if score >= HOT {
        Temperature::Hot
    } else if score >= WARM {
        Temperature::Warm
    } else {
        Temperature::Cold
    };

    let opt_out_channel = (kind == Kind::OptOut).then(|| {
        opt_out_hit
            .and_then(|h| h.channel)
            .or_else(|| {
                a.hits.iter().find_map(|h| match h.cue {
                    Cue::Channel(i) => Some(i),
                    _ => None,
                })
            })
            .and_then(channel_at)
            .unwrap_or_else(|| view.channel.clone())
    });

    let contacts = a
        .contacts
        .into_iter()
        .map(|c| LeftContact {
            source: c.source,
            contact: c.contact,
        })
        .collect();
    Assessment {
        kind,
        intents,
        score: score as u8,
        temperature,
        signals,
        contacts,
        opt_out_channel,
        sales_opportunity,
        confidence,
        truncated: a.truncated,
    }
}
