//! source=fetch and its url template: validation names the key, links keep the template, the
//! request URL carries the plan, and the prediction treats a fetch as a sleep of the plan.

use awaitlab::core::run::run_virtual;
use awaitlab::core::scenario::{check_url_template, request_url, Scenario, Source, DEFAULT_URL};

fn parse(q: &str) -> Result<Scenario, Vec<awaitlab::core::scenario::ParamError>> {
    Scenario::from_query(q)
}

fn url_error(q: &str) -> String {
    let errors = parse(q).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key, "url");
    errors[0].message.clone()
}

#[test]
fn fetch_defaults_to_the_offline_mock_api_relative_to_the_app() {
    let s = parse("source=fetch").unwrap();
    assert_eq!((s.source, s.url.as_str()), (Source::Fetch, DEFAULT_URL));
    assert_eq!(DEFAULT_URL, "api/item/{id}");
    assert!(s.fields().iter().any(|f| f.key == "url"));
    assert!(!parse("source=sleep").unwrap().fields().iter().any(|f| f.key == "url"));
}

#[test]
fn good_templates_are_accepted() {
    for t in [
        "api/item/{id}",
        "/api/item/{id}",
        "http://127.0.0.1:8081/delay?id={id}",
        "https://example.com/items/{id}.json",
        "HTTPS://[::1]:9000/x/{id}",
        "//cdn.example.com/{id}",
    ] {
        assert_eq!(check_url_template(t), Ok(()), "{t}");
    }
}

#[test]
fn bad_templates_are_named_and_nothing_runs() {
    assert!(url_error("source=fetch&url=ftp://example.com/{id}").starts_with("url must use http or https, not ftp:"));
    assert!(url_error("source=fetch&url=javascript:alert({id})").contains("http or https"));
    assert!(url_error("source=fetch&url=file:///etc/{id}").contains("http or https"));
    assert!(url_error("source=fetch&url=http://exa mple.com/{id}").contains("not a valid URL template"));
    assert!(url_error("source=fetch&url=http:///{id}").contains("no valid host"));
    assert!(url_error("source=fetch&url=http:example.com/{id}").contains("expected //"));
    assert!(url_error("source=fetch&url=http://example.com:99999/{id}").contains("port"));
    assert!(url_error("source=fetch&url=http://example.com/{name}").contains("{id} is the only placeholder"));
    assert!(url_error("source=fetch&url=").contains("must not be empty"));
}

#[test]
fn a_template_without_id_is_refused_when_tasks_would_share_it() {
    let m = url_error("source=fetch&tasks=3&url=https://example.com/item");
    assert!(m.starts_with("url must contain {id} when there is more than one task"), "{m}");
    assert!(parse("source=fetch&tasks=1&url=https://example.com/item").is_ok());
    // The breakfast has two tasks.
    assert!(url_error("source=fetch&preset=breakfast&url=https://example.com/item").contains("{id}"));
    // With source=sleep the url is not used, so it need not name {id}.
    assert!(parse("source=sleep&tasks=3&url=https://example.com/item").is_ok());
}

#[test]
fn the_request_carries_the_planned_duration_and_failure() {
    assert_eq!(request_url("api/item/{id}", 4, 230, false), "api/item/4?ms=230&fail=0");
    assert_eq!(request_url("http://h:1/delay?id={id}", 0, 200, true), "http://h:1/delay?id=0&ms=200&fail=1");
    assert_eq!(request_url("https://h/x/{id}?", 2, 5, false), "https://h/x/2?ms=5&fail=0");
    assert_eq!(request_url("https://h/x/{id}#top", 2, 5, false), "https://h/x/2?ms=5&fail=0#top");
}

#[test]
fn links_keep_the_template_escaped_and_reproduce_the_run() {
    let s = Scenario::parse([("source", "fetch"), ("url", "http://127.0.0.1:9/delay?id={id}&x=a+b")]).unwrap();
    let q = s.to_query();
    assert!(q.contains("&source=fetch&url=http://127.0.0.1:9/delay?id%3D{id}%26x%3Da%2Bb&"), "{q}");
    // Decoded as a browser decodes a query string, it gives the same scenario back.
    assert_eq!(Scenario::from_query(&q).unwrap(), s);
    // A sleep link does not grow a url key.
    assert!(!parse("pattern=gather").unwrap().to_query().contains("url="));
}

#[test]
fn the_prediction_of_a_fetch_run_is_the_sleep_run() {
    let fetch = parse("source=fetch&tasks=8&fail=0.3&seed=5").unwrap();
    let sleep = parse("source=sleep&tasks=8&fail=0.3&seed=5").unwrap();
    assert_eq!(run_virtual(&fetch).events, run_virtual(&sleep).events);
    // Run JSON keeps the source and the template and reads back.
    let run = run_virtual(&fetch);
    let back = awaitlab::core::run::Run::from_json(&run.to_json()).unwrap();
    assert_eq!(back.parsed_scenario().unwrap(), fetch);
}
