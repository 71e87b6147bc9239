//! The palette is stated once, in `core::palette`: the stylesheets' custom properties must say the
//! same, in the light scheme, the dark one and the embed's forced themes.

use std::collections::HashMap;

use awaitlab::core::palette::PALETTE;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("read stylesheet")
}

/// The `--name: value` declarations of the first rule whose selector is `selector`, searched
/// from `from` in `css`.
fn variables(css: &str, selector: &str, from: usize) -> HashMap<String, String> {
    let start =
        css[from..].find(&format!("{selector} {{")).map(|i| from + i).unwrap_or_else(|| panic!("no {selector}"));
    let body_start = start + css[start..].find('{').expect("{") + 1;
    let body_end = body_start + css[body_start..].find('}').expect("}");
    let body: String = css[body_start..body_end]
        .split("/*")
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.split_once("*/").map_or("", |(_, rest)| rest) })
        .collect();
    body.split(';')
        .filter_map(|decl| decl.trim().strip_prefix("--")?.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn style_css_root_declares_every_light_colour_of_the_palette() {
    let css = read("static/style.css");
    let root = variables(&css, ":root", 0);
    for c in PALETTE {
        assert_eq!(root.get(c.name).map(String::as_str), Some(c.light), "--{} in style.css :root", c.name);
    }
}

#[test]
fn the_dark_scheme_overrides_exactly_the_colours_that_differ() {
    let css = read("static/style.css");
    let media = css.find("@media (prefers-color-scheme: dark) {").expect("a dark scheme");
    let dark = variables(&css, ":root", media);
    let share = read("static/share.css");
    let forced_dark = variables(&share, "html.theme-dark", 0);
    let forced_light = variables(&share, "html.theme-light", 0);
    for c in PALETTE {
        let expected_dark = (c.dark != c.light).then_some(c.dark);
        assert_eq!(dark.get(c.name).map(String::as_str), expected_dark, "--{} in the dark scheme", c.name);
        assert_eq!(forced_dark.get(c.name).map(String::as_str), expected_dark, "--{} in html.theme-dark", c.name);
        let expected_light = (c.dark != c.light).then_some(c.light);
        assert_eq!(forced_light.get(c.name).map(String::as_str), expected_light, "--{} in html.theme-light", c.name);
    }
}

#[test]
fn the_checker_reads_declarations_and_skips_comments() {
    let css = ":root {\n  --a: #fff;\n  /* --b: #000; */\n  --c: rgba(1, 2, 3, 0.5);\n}";
    let vars = variables(css, ":root", 0);
    assert_eq!(vars.get("a").map(String::as_str), Some("#fff"));
    assert_eq!(vars.get("b"), None);
    assert_eq!(vars.get("c").map(String::as_str), Some("rgba(1, 2, 3, 0.5)"));
}
