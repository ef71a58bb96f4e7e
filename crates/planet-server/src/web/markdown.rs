//! Every piece of user text is rendered through comrak and sanitised by ammonia.

use std::sync::OnceLock;

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        // A description sits under the page's own headings: it may not add an h1 or h2.
        builder
            .rm_tags(["h1", "h2"])
            .link_rel(Some("noopener noreferrer nofollow ugc"))
            .url_schemes(["http", "https", "mailto"].into_iter().collect());
        builder
    })
}

/// Markdown to safe HTML.
pub fn render(text: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.render.hardbreaks = true;
    let html = comrak::markdown_to_html(text, &options);
    sanitiser().clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = render("Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn markdown_still_works() {
        assert_eq!(render("**Veg** boxes").trim(), "<p><strong>Veg</strong> boxes</p>");
        assert!(render("https://example.org").contains("rel=\"noopener noreferrer nofollow ugc\""));
    }
}
