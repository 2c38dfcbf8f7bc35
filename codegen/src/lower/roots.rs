//! Which types a run keeps: the roots `Config::root` chose, and the
//! bookkeeping when a pass drops types.

use std::collections::HashMap;

use super::Lowerer;
use crate::error::Error;
use crate::keywords;
use crate::load::NodeRef;
use crate::model::TypeId;
use crate::naming;

/// `by_node` after `passes::keep_reachable` gave each type id `map`'s.
pub(super) fn renumbered(
    by_node: HashMap<NodeRef, TypeId>,
    map: &[Option<TypeId>],
) -> HashMap<NodeRef, TypeId> {
    by_node
        .into_iter()
        .filter_map(|(node, id)| map[id.0].map(|id| (node, id)))
        .collect()
}

/// The types `Config::root` chose (`None` when it chose none): for
/// `PATH#POINTER` the schema there, lowered if it is not a definition; for
/// `PATH` alone the file's root type, or every definition of the file when
/// its root is not a type. A root that names nothing is an error naming it.
pub(super) fn chosen_roots(
    lowerer: &mut Lowerer,
    specs: &[String],
) -> Result<Option<Vec<TypeId>>, Error> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut roots = Vec::new();
    for spec in specs {
        let (path, pointer) = match spec.split_once('#') {
            Some((path, pointer)) => (path, Some(pointer)),
            None => (spec.as_str(), None),
        };
        let Some(file) = lowerer.set.input_file(path) else {
            return Err(Error::Config(format!(
                "--root `{spec}`: no schema file `{path}` in the input (paths are relative to the input folder)"
            )));
        };
        let found: Vec<TypeId> = match pointer {
            Some(pointer) => {
                let node = NodeRef {
                    file: file.clone(),
                    pointer: crate::load::percent_decode(pointer),
                };
                if lowerer.set.get(&node).is_none() {
                    return Err(Error::Config(format!(
                        "--root `{spec}`: {} does not exist",
                        node.location()
                    )));
                }
                let wanted = node
                    .pointer
                    .rsplit('/')
                    .next()
                    .unwrap_or("Root")
                    .to_string();
                vec![lowerer.named(&node, &naming::type_name(&wanted))]
            }
            None => {
                let root = NodeRef {
                    file: file.clone(),
                    pointer: String::new(),
                };
                match lowerer.by_node.get(&root) {
                    Some(id) => vec![*id],
                    None => lowerer
                        .space
                        .types
                        .iter()
                        .enumerate()
                        .filter(|(i, def)| {
                            def.origin.file == file
                                && keywords::is_definition_pointer(&def.origin.pointer)
                                && lowerer.by_node.get(&def.origin) == Some(&TypeId(*i))
                        })
                        .map(|(i, _)| TypeId(i))
                        .collect(),
                }
            }
        };
        if found.is_empty() {
            return Err(Error::Config(format!("--root `{spec}` names no schema")));
        }
        roots.extend(found);
    }
    Ok(Some(roots))
}
