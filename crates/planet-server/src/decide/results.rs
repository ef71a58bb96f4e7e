//! A poll's results as its page shows them: a row and a bar for each option, the verdict, and
//! for ranked methods the rounds, the quota or the head-to-head table.

use super::chart::{Bar, bars_svg};
use planet_domain::poll::PollKind;
use planet_domain::poll::count::{Results, Tally, percent};
use planet_domain::poll::ranked::Round;
use planet_store::queries::polls::{Poll, PollOption};

/// What the results part of a poll's page shows.
#[derive(Default)]
pub(super) struct ResultsView {
    pub chart: String,
    pub rows: Vec<ResultRow>,
    pub verdict: String,
    pub passed: Option<bool>,
    pub rounds: Option<RoundsTable>,
    pub schulze_order: Vec<String>,
    pub pairwise: Option<RoundsTable>,
    /// STV: the quota, in words.
    pub quota: String,
}

pub(super) struct ResultRow {
    pub label: String,
    pub shown: String,
    pub winner: bool,
}

pub(super) struct RoundsTable {
    pub headings: Vec<String>,
    /// (round name, cells, what happened)
    pub rows: Vec<(String, Vec<String>, String)>,
}

pub(super) fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The results as rows and bars, the rounds of a ranked count, and the verdict.
pub(super) fn results_view(poll: &Poll, options: &[PollOption], results: &Results) -> ResultsView {
    let mut page = ResultsView::default();
    let label = |i: usize| options.get(i).map(|o| o.label.clone()).unwrap_or_default();
    // Marked only when they stand: with votes, the quorum met, and not for proposals and
    // yes/no polls (whose answer is the verdict).
    let winners = results.chosen(poll.shape.kind);
    let ballots = results.ballots;
    let mut rows: Vec<Counted> = Vec::new();
    match &results.tally {
        Tally::Totals { totals, .. } => {
            for (i, total) in totals.iter().enumerate() {
                let shown = match poll.shape.kind {
                    PollKind::DotVote => plural(*total, "dot", "dots"),
                    PollKind::Score => {
                        let mean = if ballots == 0 { 0.0 } else { *total as f64 / ballots as f64 };
                        format!("{total} points (on average {mean:.1})")
                    }
                    _ => format!("{} ({}%)", plural(*total, "vote", "votes"), percent(*total, ballots)),
                };
                rows.push(Counted::new(label(i), *total, shown, winners.contains(&i)));
            }
        }
        Tally::Meeting { yes, if_need_be, .. } => {
            for (i, (y, m)) in yes.iter().zip(if_need_be).enumerate() {
                rows.push(Counted::new(label(i), y + m, format!("{y} yes, {m} if need be"), winners.contains(&i)));
            }
        }
        Tally::InstantRunoff(result) => {
            if let Some(last) = result.rounds.last() {
                last_round_rows(&mut rows, last, &label, &winners);
            }
            page.rounds = Some(rounds_table(&result.rounds, options));
        }
        Tally::SingleTransferableVote(result) => {
            if let Some(last) = result.rounds.last() {
                last_round_rows(&mut rows, last, &label, &winners);
            }
            page.quota = format!(
                "To be elected, an option needs {} votes (the quota). Counted by the Scottish rules for the single \
                 transferable vote.",
                result.quota.display()
            );
            page.rounds = Some(rounds_table(&result.rounds, options));
        }
        Tally::Schulze(result) => {
            page.schulze_order = result
                .order
                .iter()
                .enumerate()
                .map(|(place, tier)| {
                    let names: Vec<String> = tier.iter().map(|i| label(*i)).collect();
                    format!("{}. {}", place + 1, names.join(" and "))
                })
                .collect();
            let mut headings = vec!["Preferred …".to_owned()];
            headings.extend((0..options.len()).map(|i| format!("to {}", label(i))));
            let rows_table = (0..options.len())
                .map(|a| {
                    let cells = (0..options.len())
                        .map(|b| if a == b { "—".to_owned() } else { result.pairwise[a][b].to_string() })
                        .collect();
                    (label(a), cells, String::new())
                })
                .collect();
            page.pairwise = Some(RoundsTable { headings, rows: rows_table });
            for (place, tier) in result.order.iter().enumerate() {
                for i in tier {
                    let wins =
                        (0..options.len()).filter(|b| result.strongest[*i][*b] > result.strongest[*b][*i]).count();
                    rows.push(Counted {
                        chart: format!("place {}", place + 1),
                        ..Counted::new(
                            label(*i),
                            wins as u64,
                            format!("place {}, preferred to {} of the others", place + 1, wins),
                            winners.contains(i),
                        )
                    });
                }
            }
        }
    }
    let scale = match poll.shape.kind {
        PollKind::Proposal
        | PollKind::YesNo
        | PollKind::SingleChoice
        | PollKind::MultipleChoice
        | PollKind::MeetingTime => Some(ballots),
        _ => None,
    };
    let bars: Vec<Bar> = rows
        .iter()
        .map(|row| Bar { label: row.label.clone(), value: row.value, shown: row.chart.clone(), winner: row.winner })
        .collect();
    page.chart = bars_svg(&bars, scale, &format!("Results of {}", poll.title));
    page.rows =
        rows.into_iter().map(|row| ResultRow { label: row.label, shown: row.table, winner: row.winner }).collect();
    page.verdict = results.verdict.explanation.clone();
    page.passed = results.verdict.passed;
    page
}

/// One option's result: its bar's length, and its words in the table and, shorter, on the chart.
struct Counted {
    label: String,
    value: u64,
    table: String,
    chart: String,
    winner: bool,
}

impl Counted {
    fn new(label: String, value: u64, words: String, winner: bool) -> Self {
        Counted { label, value, chart: words.clone(), table: words, winner }
    }
}

fn last_round_rows(rows: &mut Vec<Counted>, last: &Round, label: &impl Fn(usize) -> String, winners: &[usize]) {
    for (i, votes) in last.tallies.iter().enumerate() {
        let value = votes.map_or(0, |v| v.0 / 1000);
        let (table, chart) = match votes {
            Some(v) => (format!("{} votes in the last round", v.display()), format!("{} votes", v.display())),
            None if winners.contains(&i) => ("elected".to_owned(), "elected".to_owned()),
            None => ("out".to_owned(), "out".to_owned()),
        };
        rows.push(Counted { label: label(i), value, table, chart, winner: winners.contains(&i) });
    }
}

fn rounds_table(rounds: &[Round], options: &[PollOption]) -> RoundsTable {
    let label = |i: usize| options.get(i).map(|o| o.label.clone()).unwrap_or_default();
    let mut headings: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
    headings.push("No further choice".to_owned());
    let rows = rounds
        .iter()
        .enumerate()
        .map(|(n, round)| {
            let mut cells: Vec<String> =
                round.tallies.iter().map(|t| t.map(|v| v.display()).unwrap_or_else(|| "—".to_owned())).collect();
            cells.push(round.exhausted.display());
            let mut happened = Vec::new();
            if !round.elected.is_empty() {
                let names: Vec<String> = round.elected.iter().map(|i| label(*i)).collect();
                happened.push(format!("Elected: {}", names.join(", ")));
            }
            if let Some(i) = round.surplus_of {
                happened.push(format!("{}'s surplus passed on", label(i)));
            }
            if let Some(i) = round.eliminated {
                happened.push(format!("{} out", label(i)));
            }
            if round.by_lot {
                happened.push("a tie decided by lot".to_owned());
            }
            (format!("Round {}", n + 1), cells, happened.join("; "))
        })
        .collect();
    RoundsTable { headings, rows }
}
