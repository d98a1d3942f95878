//! A trial's `arch_config` as the JSON text the reference builder stores (`_config_json`):
//! the keys whose value is the architecture's own string set to `null` and listed under
//! `"$arch"`, then `json.dumps(config, sort_keys=True)` (`", "` / `": "` separators).
//!
//! Only configs of plain values are written here — str keys and values of printable ASCII
//! without quotes or backslashes (nothing to escape), 64-bit ints, bools, None, as in every
//! official file; anything else is left to the reference (`None` returned).

use crate::pickle::{Node, Pickle};

fn plain_text(text: &str) -> bool {
    text.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
}

enum Value<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    Null,
}

/// The stored JSON of the config dict `id`, or `None` when it is not plain (see the module).
pub(super) fn config_json(pickle: &Pickle, pairs: &[(u32, u32)], arch_str: &str) -> Option<String> {
    let mut entries: Vec<(&str, Value<'_>)> = Vec::with_capacity(pairs.len() + 1);
    let mut own: Vec<&str> = Vec::new();
    for &(key, value) in pairs {
        let key = pickle.str(key).filter(|k| plain_text(k))?;
        if key == "$arch" || entries.iter().any(|(k, _)| *k == key) {
            return None; // the reference refuses '$arch'; a repeated key: let Python merge
        }
        let value = match pickle.node(value) {
            Node::Str(_) => {
                let text = pickle.str(value).filter(|t| plain_text(t))?;
                if text == arch_str {
                    own.push(key);
                    Value::Null
                } else {
                    Value::Text(text)
                }
            }
            Node::Int(v) => Value::Int(*v),
            Node::Bool(v) => Value::Bool(*v),
            Node::None => Value::Null,
            _ => return None,
        };
        entries.push((key, value));
    }
    own.sort_unstable();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(128);
    out.push('{');
    let mut first = true;
    let mut separator = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push_str(", ");
        }
    };
    if !own.is_empty() {
        // '$' sorts before every other plain key character but ' ', '!' and '#'.
        separator(&mut out);
        out.push_str("\"$arch\": [");
        out.push_str(
            &own.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push(']');
    }
    for (key, value) in &entries {
        if !own.is_empty() && key.as_bytes() < b"$arch".as_slice() {
            return None; // a key sorting before "$arch": keep the ordering logic simple
        }
        separator(&mut out);
        out.push('"');
        out.push_str(key);
        out.push_str("\": ");
        match value {
            Value::Text(text) => {
                out.push('"');
                out.push_str(text);
                out.push('"');
            }
            Value::Int(v) => out.push_str(&v.to_string()),
            Value::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
            Value::Null => out.push_str("null"),
        }
    }
    out.push('}');
    Some(out)
}
