//! A poll's results as CSV (and its named votes, when the ballot is not secret), and a meeting
//! poll's chosen time as a calendar file (ICS). Each is reached through `ReadPollResults`, like
//! the page.

use super::service::{count, poll_access};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::policy::Action;
use planet_domain::poll::count::Tally;
use planet_domain::poll::{MeetingAnswer, PollKind, STANCES};
use planet_store::queries::polls;

/// A CSV field: quoted, and never read as a formula by a spreadsheet.
fn field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn line(fields: &[String]) -> String {
    let mut out = fields.join(",");
    out.push_str("\r\n");
    out
}

/// The results, one line an option (for ranked polls, a line a round).
pub async fn results_csv(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(String, String)> {
    let found = poll_access(state, ctx, id, Action::ReadPollResults).await?;
    let poll = &found.poll;
    let results = count(state, poll).await?;
    let labels: Vec<&str> = found.options.iter().map(|o| o.label.as_str()).collect();
    let winners = results.chosen(poll.shape.kind);
    let mut out = String::new();
    match &results.tally {
        Tally::Totals { totals, .. } => {
            out.push_str(&line(&[field("option"), field("total"), field("chosen")]));
            for (i, total) in totals.iter().enumerate() {
                let chosen = if winners.contains(&i) { "yes" } else { "" };
                out.push_str(&line(&[field(labels.get(i).unwrap_or(&"")), total.to_string(), field(chosen)]));
            }
        }
        Tally::Meeting { yes, if_need_be, .. } => {
            out.push_str(&line(&[field("time"), field("yes"), field("if need be"), field("chosen")]));
            for (i, (y, m)) in yes.iter().zip(if_need_be).enumerate() {
                let chosen = if winners.contains(&i) { "yes" } else { "" };
                out.push_str(&line(&[
                    field(labels.get(i).unwrap_or(&"")),
                    y.to_string(),
                    m.to_string(),
                    field(chosen),
                ]));
            }
        }
        Tally::InstantRunoff(result) => rounds_csv(&mut out, &labels, &result.rounds),
        Tally::SingleTransferableVote(result) => rounds_csv(&mut out, &labels, &result.rounds),
        Tally::Schulze(result) => {
            out.push_str(&line(&[field("place"), field("option")]));
            for (place, tier) in result.order.iter().enumerate() {
                for i in tier {
                    out.push_str(&line(&[(place + 1).to_string(), field(labels.get(*i).unwrap_or(&""))]));
                }
            }
        }
    }
    out.push_str(&line(&[field(&results.verdict.explanation)]));
    Ok((file_name(&poll.title, "results"), out))
}

fn rounds_csv(out: &mut String, labels: &[&str], rounds: &[planet_domain::poll::ranked::Round]) {
    let mut header = vec![field("round")];
    header.extend(labels.iter().map(|l| field(l)));
    header.push(field("exhausted"));
    header.push(field("elected"));
    header.push(field("eliminated"));
    out.push_str(&line(&header));
    for (n, round) in rounds.iter().enumerate() {
        let mut row = vec![(n + 1).to_string()];
        row.extend(round.tallies.iter().map(|t| t.map(|v| v.display()).unwrap_or_default()));
        row.push(round.exhausted.display());
        let names = |ids: &[usize]| ids.iter().filter_map(|i| labels.get(*i)).copied().collect::<Vec<_>>().join("; ");
        row.push(field(&names(&round.elected)));
        row.push(field(round.eliminated.and_then(|i| labels.get(i)).copied().unwrap_or("")));
        out.push_str(&line(&row));
    }
}

/// Who voted what (and why), for polls that are not secret.
pub async fn votes_csv(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(String, String)> {
    let found = poll_access(state, ctx, id, Action::ReadPollResults).await?;
    let poll = &found.poll;
    if poll.settings.secret {
        return Err(AppError::refused("poll_secret", "This is a secret ballot: nobody can see who voted how."));
    }
    let votes = polls::named_votes(state.db(), poll.id, poll.shape.options).await?;
    let mut header = vec![field("name")];
    header.extend(found.options.iter().map(|o| field(&o.label)));
    header.push(field("reason"));
    let mut out = line(&header);
    for vote in votes {
        let mut row = vec![field(&vote.name)];
        row.extend(vote.ballot.0.iter().map(|value| field(&mark_words(poll.shape.kind, *value))));
        row.push(field(vote.reason.as_deref().unwrap_or("")));
        out.push_str(&line(&row));
    }
    Ok((file_name(&poll.title, "votes"), out))
}

/// What one mark means, in words: "chosen", "3", "if need be".
pub fn mark_words(kind: PollKind, value: u32) -> String {
    match kind {
        PollKind::Proposal | PollKind::YesNo | PollKind::SingleChoice | PollKind::MultipleChoice => {
            if value > 0 {
                "chosen".to_owned()
            } else {
                String::new()
            }
        }
        PollKind::MeetingTime => match value {
            2 => MeetingAnswer::Yes.label().to_owned(),
            1 => MeetingAnswer::IfNeedBe.label().to_owned(),
            _ => MeetingAnswer::No.label().to_owned(),
        },
        PollKind::Ranked if value == 0 => String::new(),
        _ => value.to_string(),
    }
}

/// The stance of a proposal's ballot.
pub fn stance_of(ballot: &planet_domain::poll::Ballot) -> Option<planet_domain::poll::Stance> {
    ballot.choice().and_then(|i| STANCES.get(i)).copied()
}

fn file_name(title: &str, what: &str) -> String {
    let words: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    format!("{}-{what}.csv", if words.is_empty() { "poll" } else { &words })
}

/// The chosen time of a closed meeting poll, as an ICS calendar event.
pub async fn meeting_ics(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<String> {
    let found = poll_access(state, ctx, id, Action::ReadPollResults).await?;
    let poll = &found.poll;
    if poll.shape.kind != PollKind::MeetingTime || found.open {
        return Err(AppError::refused("no_meeting_time", "A time is chosen only when a meeting poll has closed."));
    }
    let results = count(state, poll).await?;
    let Some(option) = results.chosen(poll.shape.kind).first().and_then(|i| found.options.get(*i)).cloned() else {
        return Err(AppError::refused("no_meeting_time", "Nobody could make any of the times."));
    };
    let Some(starts) = option.starts_at else {
        return Err(AppError::refused("no_meeting_time", "This poll has no times."));
    };
    let ends = starts.checked_add_signed(chrono::Duration::minutes(i64::from(option.minutes))).unwrap_or(starts);
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let url = format!("{}/polls/{}", state.public_base(), poll.id);
    let text = |t: &str| t.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n");
    Ok(format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//PlaNet//Commons//EN\r\nCALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\n\
         UID:{}@planet\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{}\r\nDESCRIPTION:{}\r\nURL:{}\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
        poll.id,
        stamp(poll.ends_at()),
        stamp(starts),
        stamp(ends),
        text(&poll.title),
        text(&format!("Chosen in the poll at {url}")),
        url,
    ))
}
