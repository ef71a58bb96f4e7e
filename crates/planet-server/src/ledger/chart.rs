//! The balance over time, drawn on the server as SVG (no script, no outside requests): a step
//! line, since a balance holds until the next payment, with zero marked and the highest and
//! lowest balance and the first and last day written on it. The text alternative (the same in
//! a sentence) is written beside it by the page.

use chrono::{DateTime, Utc};
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 8.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 32.0;

/// The words on the chart: the highest and lowest balance, and the first and last day.
pub struct Labels<'a> {
    pub high: &'a str,
    pub low: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A step chart of `points` (time, balance after) from `from` to `to`, starting at `start`.
pub fn balance_svg(
    start: i64,
    points: &[(DateTime<Utc>, i64)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    labels: &Labels<'_>,
) -> String {
    let span = (to - from).num_seconds().max(1) as f64;
    let values = std::iter::once(start).chain(points.iter().map(|p| p.1));
    let (low, high) = values.fold((0_i64, 0_i64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let range = (high - low).max(1) as f64;
    let x = |at: DateTime<Utc>| {
        LEFT + (at - from).num_seconds().clamp(0, span as i64) as f64 / span * (WIDTH - LEFT - RIGHT)
    };
    let y = |v: i64| TOP + (high - v) as f64 / range * (HEIGHT - TOP - BOTTOM);
    let mut path = format!("M{:.1} {:.1}", x(from), y(start));
    let mut last = start;
    for (at, balance) in points {
        let _ = write!(path, " H{:.1} V{:.1}", x(*at), y(*balance));
        last = *balance;
    }
    let _ = write!(path, " H{:.1}", x(to));
    let zero = y(0);
    let right = WIDTH - RIGHT;
    let base = HEIGHT - 8.0;
    let mut svg = String::with_capacity(1024 + path.len());
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"chart-title\" \
         focusable=\"false\"><title id=\"chart-title\">Balance over time</title>\
         <line class=\"chart-zero\" x1=\"{LEFT}\" x2=\"{right:.1}\" y1=\"{zero:.1}\" y2=\"{zero:.1}\" \
         stroke-dasharray=\"6 4\"/>\
         <path class=\"chart-line\" d=\"{path}\" fill=\"none\" stroke-width=\"3\"/>\
         <circle class=\"chart-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/>\
         <g class=\"chart-text\" font-size=\"15\" aria-hidden=\"true\">\
         <text x=\"{LEFT}\" y=\"18\">Highest: {}</text>\
         <text x=\"{right:.1}\" y=\"18\" text-anchor=\"end\">Lowest: {}</text>\
         <text x=\"{LEFT}\" y=\"{base:.1}\">{}</text>\
         <text x=\"{right:.1}\" y=\"{base:.1}\" text-anchor=\"end\">{}</text></g></svg>",
        x(to),
        y(last),
        escaped(labels.high),
        escaped(labels.low),
        escaped(labels.from),
        escaped(labels.to),
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn labels() -> Labels<'static> {
        Labels { high: "3", low: "-1", from: "1 Sep", to: "Today" }
    }

    #[test]
    fn the_line_steps_through_every_balance_and_zero_is_marked() {
        let from = DateTime::from_timestamp(1_795_824_000, 0).unwrap();
        let to = from + Duration::days(90);
        let svg =
            balance_svg(0, &[(from + Duration::days(30), 300), (from + Duration::days(60), -100)], from, to, &labels());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title"));
        // Highest (300) at the top (28), lowest (−100) at the bottom (208), zero in between.
        assert!(svg.contains("V28.0") && svg.contains("V208.0"), "{svg}");
        assert!(svg.contains("y1=\"163.0\""), "{svg}");
        assert!(svg.contains("Highest: 3") && svg.contains("Lowest: -1") && svg.contains(">Today<"), "{svg}");
    }

    #[test]
    fn an_empty_history_is_a_flat_line_and_words_are_escaped() {
        let from = DateTime::from_timestamp(1_795_824_000, 0).unwrap();
        let odd = Labels { high: "0", low: "0", from: "<b>", to: "Today" };
        let svg = balance_svg(0, &[], from, from + Duration::days(90), &odd);
        assert!(svg.contains("<path"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }
}
