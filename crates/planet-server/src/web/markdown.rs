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
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            // Pictures only from this server's own uploads (sent with a message, each authorized
            // like its message): no tracking pixels, no pictures from elsewhere.
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("img", "src") if is_uploaded_image(value) => Some(value.into()),
                ("img", "src") => None,
                _ => Some(value.into()),
            });
        builder
    })
}

/// The address of a picture uploaded with a message: `/images/{uuid}`.
pub fn is_uploaded_image(src: &str) -> bool {
    src.strip_prefix("/images/").is_some_and(|id| id.parse::<uuid::Uuid>().is_ok())
}

/// The Markdown that shows an uploaded picture, with its description (which cannot break out of
/// the brackets).
pub fn image_markdown(id: uuid::Uuid, description: &str) -> String {
    let alt: String = description
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | '\\' | '\n' | '\r'))
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned();
    let alt = if alt.is_empty() { "A picture".to_owned() } else { alt };
    format!("![{alt}](/images/{id})")
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
    fn pictures_come_only_from_uploads() {
        let id = uuid::Uuid::now_v7();
        let own = render(&super::image_markdown(id, "Our [plums]\n"));
        assert!(own.contains(&format!("src=\"/images/{id}\"")) && own.contains("alt=\"Our plums\""), "{own}");
        for elsewhere in
            ["![x](https://tracker.example/p.gif)", "![x](/images/../admin)", "<img src=\"//evil.example/x\">"]
        {
            assert!(!render(elsewhere).contains("src="), "{elsewhere}");
        }
    }

    #[test]
    fn markdown_still_works() {
        assert_eq!(render("**Veg** boxes").trim(), "<p><strong>Veg</strong> boxes</p>");
        assert!(render("https://example.org").contains("rel=\"noopener noreferrer nofollow ugc\""));
    }
}
