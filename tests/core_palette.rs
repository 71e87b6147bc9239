//! The palette is stated once, in `core::palette`: the stylesheets' custom properties must say the
//! same, in the light scheme and the dark one (`light-dark()`), which the forced themes pick.

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

/// A colour as `:root` declares it: the light value, or `light-dark(light, dark)` when the dark
/// scheme's differs (the page follows `color-scheme`, which `theme=` pins).
fn declared(light: &str, dark: &str) -> String {
    if light == dark {
        light.to_string()
    } else {
        format!("light-dark({light}, {dark})")
    }
}

#[test]
fn style_css_root_declares_every_colour_of_the_palette_in_both_schemes() {
    let css = read("static/style.css");
    let root = variables(&css, ":root", 0);
    for c in PALETTE {
        assert_eq!(root.get(c.name), Some(&declared(c.light, c.dark)), "--{} in style.css :root", c.name);
    }
}

/// The themes only pin `color-scheme`: a colour they set, or a `prefers-color-scheme` block,
/// would hold whatever `theme=` says (a dark-themed embed drew light code boxes on a light OS).
#[test]
fn the_themes_pin_the_colour_scheme_and_no_stylesheet_asks_the_os() {
    let share = read("static/share.css");
    for (theme, scheme) in [("html.theme-dark", "dark"), ("html.theme-light", "light")] {
        assert!(variables(&share, theme, 0).is_empty(), "{theme} sets colours");
        assert!(share.contains(&format!("{theme} {{ color-scheme: {scheme}; }}")), "{theme} pins color-scheme");
    }
    for sheet in ["static/style.css", "static/share.css", "static/code.css", "static/lab.css"] {
        let css = read(sheet);
        let asks = css.split("/*").enumerate().any(|(i, part)| {
            let code = if i == 0 { part } else { part.split_once("*/").map_or("", |(_, rest)| rest) };
            code.contains("@media (prefers-color-scheme")
        });
        assert!(!asks, "{sheet} has a @media (prefers-color-scheme) block");
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
