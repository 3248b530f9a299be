//! The map's page as served: `web/index.html` with the catalogue it starts from, its stylesheets
//! and its module graph inlined, so the first view waits for one script (Leaflet) and no chain of
//! module requests. The sources stay plain ES modules and stylesheets; this only joins them.

use serde::Serialize;

/// The element of `web/index.html` that receives the catalogue.
pub const CATALOGUE_TAG: &str =
    r#"<script type="application/json" id="smartspec-catalogue"></script>"#;
/// A stylesheet the page links; replaced by a `<style>` element holding the file.
const STYLESHEET_OPEN: &str = r#"<link rel="stylesheet" href=""#;
const STYLESHEET_CLOSE: &str = r#"">"#;
/// The page's entry module; replaced by one inline module holding the whole graph.
const MODULE_OPEN: &str = r#"<script type="module" src=""#;
const MODULE_CLOSE: &str = r#""></script>"#;

/// Why the page could not be assembled: the file (relative to the page) and what is wrong there.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}: {message}")]
pub struct PageError {
    pub file: String,
    pub message: String,
}

impl PageError {
    fn new(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            message: message.into(),
        }
    }
}

/// `page` (the text of `web/index.html`) as served: `catalogue` as the JSON content of its
/// catalogue element, every `<link rel="stylesheet" href="F">` replaced by F's rules, and the
/// `<script type="module" src="F">` replaced by the module graph F starts (see [`join_modules`]).
/// `read` gives a file's text by its path relative to the page.
pub fn assemble(
    page: &str,
    catalogue: &impl Serialize,
    read: &dyn Fn(&str) -> Result<String, PageError>,
) -> Result<String, PageError> {
    let page = inline_catalogue(page, catalogue)?;
    let page = inline_stylesheets(&page, read)?;
    inline_modules(&page, read)
}

/// `page` with `catalogue` as the JSON content of its catalogue element. Every `<` is written
/// `\u003c`, so no string in the data can end the script element.
pub fn inline_catalogue(page: &str, catalogue: &impl Serialize) -> Result<String, PageError> {
    let at = page.find(CATALOGUE_TAG).ok_or_else(|| {
        PageError::new(
            "index.html",
            format!("the map page has no catalogue element ({CATALOGUE_TAG})"),
        )
    })?;
    let data = serde_json::to_string(catalogue)
        .map_err(|e| PageError::new("index.html", format!("the map's catalogue: {e}")))?
        .replace('<', "\\u003c");
    let open = CATALOGUE_TAG.len() - "</script>".len();
    Ok([&page[..at + open], &data, &page[at + open..]].concat())
}

/// Each `<link rel="stylesheet" href="F">` of `page` replaced by `<style>` with F's rules, their
/// relative `url(...)`s rebased onto F's directory (Leaflet's images stay where they are).
pub fn inline_stylesheets(
    page: &str,
    read: &dyn Fn(&str) -> Result<String, PageError>,
) -> Result<String, PageError> {
    replace_tags(page, STYLESHEET_OPEN, STYLESHEET_CLOSE, |href| {
        let css = read(href)?;
        if css.to_ascii_lowercase().contains("</style") {
            return Err(PageError::new(
                href,
                "contains `</style`, which would end the element",
            ));
        }
        let dir = href.rfind('/').map_or("", |i| &href[..=i]);
        Ok(format!(
            "<style>/* {href} */\n{}</style>",
            rebase_urls(&css, dir)
        ))
    })
}

/// The page's `<script type="module" src="F">` replaced by one inline module: F's graph joined.
fn inline_modules(
    page: &str,
    read: &dyn Fn(&str) -> Result<String, PageError>,
) -> Result<String, PageError> {
    replace_tags(page, MODULE_OPEN, MODULE_CLOSE, |src| {
        let joined = join_modules(src, read)?;
        Ok(format!(
            "<script type=\"module\">\n{}</script>",
            script_safe(&joined)
        ))
    })
}

/// `text` with every `open…close` tag replaced by what `with` makes of the attribute between.
fn replace_tags(
    text: &str,
    open: &str,
    close: &str,
    mut with: impl FnMut(&str) -> Result<String, PageError>,
) -> Result<String, PageError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        let after = &rest[at + open.len()..];
        let end = after
            .find(close)
            .ok_or_else(|| PageError::new("index.html", format!("unclosed `{open}`")))?;
        out.push_str(&rest[..at]);
        out.push_str(&with(&after[..end])?);
        rest = &after[end + close.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `css` with each relative `url(...)` prefixed by `dir` (data:, absolute and fragment URLs kept).
fn rebase_urls(css: &str, dir: &str) -> String {
    if dir.is_empty() {
        return css.to_owned();
    }
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let (head, tail) = rest.split_at(at + "url(".len());
        out.push_str(head);
        let quote = tail.chars().next().filter(|c| *c == '"' || *c == '\'');
        let url = quote.map_or(tail, |q| &tail[q.len_utf8()..]);
        let relative = !(url.starts_with('/')
            || url.starts_with('#')
            || url.split_once(':').is_some_and(|(scheme, _)| {
                !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric())
            }));
        if let Some(q) = quote {
            out.push(q);
        }
        if relative {
            out.push_str(dir);
        }
        rest = url;
    }
    out.push_str(rest);
    out
}

/// Module source made safe inside an HTML `<script>`: `</script` and `<!--` can only stand in a
/// string, a regular expression or a comment of a module, where `<\/script` and `<\!--` mean the same.
fn script_safe(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut rest = js;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let lower = tail.get(..8).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some("</script") {
            out.push_str("<\\/");
            rest = &tail[2..];
        } else if tail.starts_with("<!--") {
            out.push_str("<\\!");
            rest = &tail[2..];
        } else {
            out.push('<');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// One module of the graph: the modules it imports (in order) and its text rewritten as a
/// function body that returns its exports.
struct Module {
    imports: Vec<String>,
    body: String,
}

/// The ES module `entry` and everything it imports, as one script: each module becomes a function
/// scope, evaluated once, dependencies first (as the browser would), whose exports its importers
/// destructure. The map's modules are written in the form this needs, and anything else is an
/// error naming file and line: imports `import { a, b as c } from './file.js';`, exports
/// `export const|function|async function|class name` (no `export let`, `default`, lists or
/// re-exports), no `import.meta`, no cycles, no top-level `await` (a function scope has none; the
/// browser tests would fail on the page).
pub fn join_modules(
    entry: &str,
    read: &dyn Fn(&str) -> Result<String, PageError>,
) -> Result<String, PageError> {
    let mut order = Vec::new();
    let mut modules = std::collections::HashMap::new();
    visit(entry, read, &mut Vec::new(), &mut modules, &mut order)?;
    let mut out = format!(
        "// The map's modules ({}) joined by the server into one script, dependencies first.\n",
        order.join(", ")
    );
    for file in &order {
        let module = modules
            .get(file)
            .ok_or_else(|| PageError::new(file, "visited but not parsed"))?;
        out.push_str(&format!(
            "const {} = (() => {{ // {file}\n{}}})();\n",
            scope_name(file),
            module.body
        ));
    }
    Ok(out)
}

/// Depth-first: `file`'s imports are placed in `order` before `file` itself.
fn visit(
    file: &str,
    read: &dyn Fn(&str) -> Result<String, PageError>,
    path: &mut Vec<String>,
    modules: &mut std::collections::HashMap<String, Module>,
    order: &mut Vec<String>,
) -> Result<(), PageError> {
    if modules.contains_key(file) {
        return Ok(());
    }
    if path.iter().any(|f| f == file) {
        return Err(PageError::new(
            file,
            format!("import cycle: {} -> {file}", path.join(" -> ")),
        ));
    }
    let module = parse_module(file, &read(file)?)?;
    path.push(file.to_owned());
    for import in &module.imports {
        visit(import, read, path, modules, order)?;
    }
    path.pop();
    order.push(file.to_owned());
    modules.insert(file.to_owned(), module);
    Ok(())
}

/// The identifier a module's exports are bound to in the joined script.
fn scope_name(file: &str) -> String {
    let stem = file.strip_suffix(".js").unwrap_or(file);
    let safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("module_{safe}")
}

/// `text` (the module `file`) as a function body: imports become destructurings of the imported
/// modules' scopes, `export` keywords go and a `return` of the exported names ends it.
fn parse_module(file: &str, text: &str) -> Result<Module, PageError> {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut body = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        let at = |message: String| PageError::new(file, format!("line {}: {message}", i + 1));
        if line.contains("import.meta") {
            return Err(at(
                "`import.meta` has no meaning once modules are joined".into()
            ));
        }
        if let Some(rest) = line.strip_prefix("import ") {
            let (names, from) = parse_import(rest).ok_or_else(|| {
                at(format!(
                    "expected `import {{ names }} from './file.js';`, found `{}`",
                    line.trim()
                ))
            })?;
            body.push_str(&format!("const {{ {names} }} = {};\n", scope_name(&from)));
            imports.push(from);
        } else if let Some(rest) = line.strip_prefix("export ") {
            let name = ["const ", "function ", "async function ", "class "]
                .iter()
                .find_map(|kw| rest.strip_prefix(kw))
                .map(|tail| {
                    tail.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                        .collect::<String>()
                })
                .filter(|name| !name.is_empty())
                .ok_or_else(|| {
                    at(format!(
                        "expected `export const|function|async function|class name`, found `{}`",
                        line.trim()
                    ))
                })?;
            exports.push(name);
            body.push_str(rest);
            body.push('\n');
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    body.push_str(&format!("return {{ {} }};\n", exports.join(", ")));
    Ok(Module { imports, body })
}

/// `{ a, b as c } from './file.js';` as (`a, b: c`, `file.js`); None for any other form.
fn parse_import(rest: &str) -> Option<(String, String)> {
    let rest = rest.trim().strip_prefix('{')?;
    let (names, rest) = rest.split_once('}')?;
    let from = rest.trim().strip_prefix("from")?.trim();
    let from = from.strip_suffix(';').unwrap_or(from).trim();
    let quote = from.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let file = from
        .strip_prefix(quote)?
        .strip_suffix(quote)?
        .strip_prefix("./")?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    if !file.ends_with(".js") || file.contains('/') || !plain(file.trim_end_matches(".js")) {
        return None;
    }
    let mut bindings = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match name.split_once(" as ") {
            Some((from, to)) if plain(from.trim()) && plain(to.trim()) => {
                bindings.push(format!("{}: {}", from.trim(), to.trim()));
            }
            None if plain(name) => bindings.push(name.to_owned()),
            _ => return None,
        }
    }
    Some((bindings.join(", "), file.to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn files(
        list: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Result<String, PageError> {
        move |name| {
            list.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| PageError::new(name, "no such file"))
        }
    }

    #[test]
    fn modules_are_joined_dependencies_first_with_their_exports_destructured() {
        let read = files(&[
            ("app.js", "import { h } from './dom.js';\nimport { fmt as format, N } from './fmt.js';\nh(format(N));\n"),
            ("fmt.js", "import { h } from './dom.js';\nexport const N = 1;\nexport function fmt(x) { return `${x}`; }\n"),
            ("dom.js", "export const h = (x) => x;\nexport class Box {}\nexport async function later() {}\n"),
        ]);
        let joined = join_modules("app.js", &read).unwrap();
        let dom = joined.find("// dom.js").unwrap();
        let fmt = joined.find("// fmt.js").unwrap();
        let app = joined.find("// app.js").unwrap();
        assert!(dom < fmt && fmt < app, "{joined}");
        assert_eq!(joined.matches("// dom.js").count(), 1, "each module once");
        assert!(joined.contains("const module_dom = (() => { // dom.js\nconst h = (x) => x;\nclass Box {}\nasync function later() {}\nreturn { h, Box, later };\n})();"), "{joined}");
        assert!(
            joined.contains("const { fmt: format, N } = module_fmt;"),
            "{joined}"
        );
        assert!(
            joined.contains("const { h } = module_dom;\nconst N = 1;"),
            "{joined}"
        );
        assert!(!joined.contains("export "), "{joined}");
        assert!(!joined.contains("import "), "{joined}");
    }

    #[test]
    fn forms_that_cannot_be_joined_are_errors_naming_file_and_line() {
        let cases: [(&str, &str); 7] = [
            ("export default 1;\n", "line 1"),
            ("const a = 1;\nexport { a };\n", "line 2"),
            ("export let a = 1;\n", "line 1"),
            ("import * as d from './dom.js';\n", "line 1"),
            ("import { h } from '../dom.js';\n", "line 1"),
            ("import { h } from 'leaflet';\n", "line 1"),
            ("const u = import.meta.url;\n", "line 1"),
        ];
        for (text, line) in cases {
            let err = parse_module("x.js", text)
                .err()
                .unwrap_or_else(|| panic!("{text} must fail"));
            assert_eq!(err.file, "x.js");
            assert!(err.message.starts_with(line), "{text}: {err}");
        }
    }

    #[test]
    fn a_cycle_or_a_missing_module_is_an_error() {
        let read = files(&[
            ("a.js", "import { b } from './b.js';\nexport const a = 1;\n"),
            ("b.js", "import { a } from './a.js';\nexport const b = 1;\n"),
        ]);
        let err = join_modules("a.js", &read).unwrap_err();
        assert!(
            err.message.contains("import cycle: a.js -> b.js -> a.js"),
            "{err}"
        );
        let read = files(&[("a.js", "import { b } from './gone.js';\n")]);
        assert_eq!(join_modules("a.js", &read).unwrap_err().file, "gone.js");
    }

    #[test]
    fn stylesheets_are_inlined_with_their_urls_rebased() {
        let read = files(&[
            ("style.css", "body { margin: 0 }"),
            (
                "vendor/leaflet/leaflet.css",
                ".a { background: url(images/layers.png) } .b { background: url(\"images/x.png\") } .c { background: url(data:image/png;base64,AA) } .d { behavior: url(#x) }",
            ),
        ]);
        let page = r#"<head><link rel="stylesheet" href="vendor/leaflet/leaflet.css"><link rel="stylesheet" href="style.css"></head>"#;
        let out = inline_stylesheets(page, &read).unwrap();
        assert_eq!(
            out,
            "<head><style>/* vendor/leaflet/leaflet.css */\n.a { background: url(vendor/leaflet/images/layers.png) } .b { background: url(\"vendor/leaflet/images/x.png\") } .c { background: url(data:image/png;base64,AA) } .d { behavior: url(#x) }</style><style>/* style.css */\nbody { margin: 0 }</style></head>"
        );
        let read = files(&[("bad.css", "a::after { content: '</style>' }")]);
        let err =
            inline_stylesheets(r#"<link rel="stylesheet" href="bad.css">"#, &read).unwrap_err();
        assert_eq!(err.file, "bad.css");
    }

    #[test]
    fn the_inline_module_cannot_end_its_script_element() {
        let read = files(&[(
            "app.js",
            "const s = '</script><!-- x';\nconst t = '</SCRIPT>';\n",
        )]);
        let out = inline_modules(
            r#"<body><script type="module" src="app.js"></script></body>"#,
            &read,
        )
        .unwrap();
        let inner = out
            .strip_prefix("<body><script type=\"module\">\n")
            .and_then(|s| s.strip_suffix("</script></body>"))
            .unwrap();
        assert!(!inner.to_ascii_lowercase().contains("</script"), "{out}");
        assert!(!inner.contains("<!--"), "{out}");
        assert!(inner.contains(r"const s = '<\/script><\!-- x';"), "{out}");
        assert!(inner.contains(r"const t = '<\/SCRIPT>';"), "{out}");
    }

    #[test]
    fn the_catalogue_goes_into_its_element_and_parses_back() {
        let catalogue = serde_json::json!({"title": "</script><b>", "n": [1, 2]});
        let out = inline_catalogue(&format!("<head>{CATALOGUE_TAG}</head>"), &catalogue).unwrap();
        let json = out
            .strip_prefix(r#"<head><script type="application/json" id="smartspec-catalogue">"#)
            .and_then(|rest| rest.strip_suffix("</script></head>"))
            .unwrap();
        assert!(!json.contains('<'), "no '<' inside the script element");
        let back: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(back, catalogue);
    }

    #[test]
    fn a_page_without_the_catalogue_element_is_an_error_naming_it() {
        let err = inline_catalogue("<head></head>", &1).unwrap_err();
        assert!(err.message.contains("smartspec-catalogue"), "{err}");
    }
}
