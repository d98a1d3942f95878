//! After `STOP`: the exact nesting depth of what the result reaches, then an arena holding only
//! those nodes, renumbered in creation order (so tuples still follow their items).
//!
//! The parser's depths are lower bounds: a list fetched from the memo and filled later deepens
//! every container already holding it. So the depth is measured here, once, by an iterative
//! depth-first walk; a cycle (a list holding itself, legal in Python) ends the walk there.

use super::error::{Limit, PickleError};
use super::limits::Limits;
use super::parser::Meta;
use super::value::{Id, Node, Pickle};

const NEW: u8 = 0;
const OPEN: u8 = 1;
const DONE: u8 = 2;

/// The `index`-th child of a node (dict pairs flattened).
fn child(node: &Node, index: usize) -> Option<Id> {
    match node {
        Node::Tuple(items) | Node::FrozenSet(items) => items.get(index).copied(),
        Node::List(items) | Node::Set(items) => items.get(index).copied(),
        Node::Dict(pairs) | Node::OrderedDict(pairs) => pairs
            .get(index / 2)
            .map(|&(key, value)| if index.is_multiple_of(2) { key } else { value }),
        _ => None,
    }
}

fn is_container(node: &Node) -> bool {
    matches!(
        node,
        Node::Tuple(_)
            | Node::FrozenSet(_)
            | Node::List(_)
            | Node::Set(_)
            | Node::Dict(_)
            | Node::OrderedDict(_)
    )
}

pub(crate) fn finish(
    mut nodes: Vec<Node>,
    meta: &[Meta],
    heap: Vec<u8>,
    root: Id,
    limits: &Limits,
    offset: usize,
) -> Result<Pickle, PickleError> {
    let nesting = || PickleError::limit(Limit::Nesting, limits.max_nesting as u64, offset);
    let mut color = vec![NEW; nodes.len()];
    // While a node is open: the deepest child seen; once done: its own depth.
    let mut depth = vec![0u32; nodes.len()];
    let mut path: Vec<(Id, usize)> = vec![(root, 0)];
    color[root as usize] = OPEN;
    while let Some(&mut (id, ref mut next)) = path.last_mut() {
        if let Some(global) = meta[id as usize].global {
            let message = format!("{} is a callable, not data", global.name());
            return Err(PickleError::malformed(message, offset));
        }
        let node = &nodes[id as usize];
        if let Some(c) = child(node, *next) {
            *next += 1;
            match color[c as usize] {
                // A leaf (most nodes) is done at once: depth 0, nothing to walk.
                NEW if meta[c as usize].global.is_none() && !is_container(&nodes[c as usize]) => {
                    color[c as usize] = DONE;
                }
                NEW => {
                    // A path longer than the limit already nests deeper than it.
                    if path.len() > limits.max_nesting {
                        return Err(nesting());
                    }
                    color[c as usize] = OPEN;
                    path.push((c, 0));
                }
                DONE => depth[id as usize] = depth[id as usize].max(depth[c as usize]),
                _ => {} // a cycle back to an open ancestor
            }
            continue;
        }
        path.pop();
        let own = depth[id as usize] + u32::from(is_container(node));
        if own as usize > limits.max_nesting {
            return Err(nesting());
        }
        depth[id as usize] = own;
        color[id as usize] = DONE;
        if let Some(&(parent, _)) = path.last() {
            depth[parent as usize] = depth[parent as usize].max(own);
        }
    }
    drop(depth);

    // Renumber the reachable nodes in creation order, moving them down in place (no second
    // arena), and drop the rest.
    let mut new_id = vec![Id::MAX; nodes.len()];
    let mut count: Id = 0;
    for (old, &c) in color.iter().enumerate() {
        if c == DONE {
            new_id[old] = count;
            count += 1;
        }
    }
    let remap = |id: &mut Id| *id = new_id[*id as usize];
    let mut write = 0;
    for (read, &c) in color.iter().enumerate() {
        if c != DONE {
            continue;
        }
        nodes.swap(write, read);
        match &mut nodes[write] {
            Node::Tuple(items) | Node::FrozenSet(items) => items.iter_mut().for_each(remap),
            Node::List(items) | Node::Set(items) => items.iter_mut().for_each(remap),
            Node::Dict(pairs) | Node::OrderedDict(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                remap(k);
                remap(v);
            }),
            _ => {}
        }
        write += 1;
    }
    nodes.truncate(write);
    Ok(Pickle {
        nodes,
        root: new_id[root as usize],
        heap,
    })
}
