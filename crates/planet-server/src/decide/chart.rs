//! Results as horizontal bars, drawn on the server as SVG (no script, no outside requests).
//! Each bar carries its label and number as text, so the chart reads the same as the table
//! the page puts beside it.

use std::fmt::Write;

// Narrow, with large words, so a phone shows it as readably as a desktop (it is at most 36rem wide).
const WIDTH: f64 = 480.0;
const ROW: f64 = 52.0;
const LABEL_ROW: f64 = 22.0;
const PAD: f64 = 8.0;

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One bar: its label, its value, the words shown for the value, and whether it won.
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub shown: String,
    pub winner: bool,
}

/// Bars scaled to the largest value (or to `scale` when given, such as the number of voters).
pub fn bars_svg(bars: &[Bar], scale: Option<u64>, title: &str) -> String {
    let top = scale.unwrap_or(0).max(bars.iter().map(|b| b.value).max().unwrap_or(0)).max(1) as f64;
    let height = PAD * 2.0 + ROW * bars.len() as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escaped(title)
    );
    // Room after the longest bar for its words ("12 votes (100%)").
    let track = WIDTH - PAD * 2.0 - 170.0;
    for (i, bar) in bars.iter().enumerate() {
        let y = PAD + ROW * i as f64;
        let length = (bar.value as f64 / top * track).max(if bar.value > 0 { 2.0 } else { 0.0 });
        let class = if bar.winner { "chart-bar chart-bar--winner" } else { "chart-bar" };
        let _ = write!(
            svg,
            r#"<text class="chart-text" x="{PAD}" y="{:.1}" font-size="18">{}</text><rect class="{class}" x="{PAD}" y="{:.1}" width="{length:.1}" height="18" rx="3"/><text class="chart-text" x="{:.1}" y="{:.1}" font-size="18">{}</text>"#,
            y + 17.0,
            escaped(&truncate(&bar.label, 45)),
            y + LABEL_ROW + 2.0,
            PAD + length + 8.0,
            y + LABEL_ROW + 17.0,
            escaped(&bar.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scaled() {
        let bars = [
            Bar { label: "<b>Tea</b>".to_owned(), value: 4, shown: "4 votes".to_owned(), winner: true },
            Bar { label: "Coffee".to_owned(), value: 2, shown: "2 votes".to_owned(), winner: false },
        ];
        let svg = bars_svg(&bars, None, "Results");
        assert!(svg.contains("&lt;b&gt;Tea&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(r#"width="294.0""#), "{svg}");
        assert!(svg.contains(r#"width="147.0""#), "{svg}");
        assert!(svg.contains("chart-bar--winner"));
    }
}
