//! A restricted pickle reader: the official benchmark pickles as plain data, never code run.
//!
//! Protocols 2–5, and only what the benchmarks' files hold: `None`, bools, ints (`LONG1`/`LONG4`
//! with a digit cap), floats, str, bytes, bytearray, tuples, lists, dicts, sets, frozensets,
//! `collections.OrderedDict`, NumPy scalars (`numpy.core.multiarray.scalar` /
//! `numpy._core.multiarray.scalar` of a `numpy.dtype`) decoded to the equal Python scalar, and
//! NumPy arrays (`_reconstruct` + `BUILD` state, or protocol 5's in-band `_frombuffer`) kept as
//! dtype + shape + raw bytes. The allowed globals are listed in `calls.rs`; any other global,
//! persistent id or extension code is refused when it is named ([`PickleError::is_unsafe`]:
//! Python's `UnsafePickleError`), and `REDUCE`/`BUILD`/`NEWOBJ` on anything but those stand-ins
//! is refused as malformed (`CorruptSourceError`).
//!
//! Every bound of [`Limits`] (memo, stack, container and string lengths, total objects,
//! integer digits, nesting depth, input and decompressed size) fails with a typed error and
//! the opcode's byte offset; the parser and every walk over its result are loops (no recursion,
//! no recursive drop), and buffering is linear. A malformed stream returns an error, never
//! panics.
//!
//! Deliberate differences from `nasbench_lite.safe_pickle` (the Python reference): arrays and
//! `bytearray` are accepted; protocol 0/1 text opcodes (`INT`, `LONG`, `FLOAT`, `STRING`,
//! `UNICODE`, `PUT`, `GET`, `INST`, `OBJ`) and streams without a `PROTO` 2–5 header are refused;
//! `SETITEM`s on non-dicts, `APPEND`s on non-lists and `BUILD` on an `OrderedDict` are refused
//! where Python would sometimes allow them.
//!
//! ```
//! use nasbench_lite_core::pickle::{parse, Limits, Node};
//! // pickle.dumps({'a': (1, 2.5)}, protocol=4)
//! let data = b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01G@\x04\x00\x00\x00\x00\x00\x00\x86\x94s.";
//! let pickle = parse(data, &Limits::default()).unwrap();
//! let value = pickle.dict_get(pickle.root(), "a").unwrap();
//! let Node::Tuple(items) = pickle.node(value) else { panic!() };
//! assert_eq!(pickle.node(items[1]), &Node::Float(2.5));
//! ```

mod calls;
pub mod dump;
mod error;
mod finish;
mod input;
mod limits;
mod opcodes;
mod parser;
mod value;

pub use error::{ErrorKind, Limit, PickleError, MAX_ECHO};
pub use input::{decompress_bz2, is_bz2, load, load_many, parse, read_file, read_files};
pub use limits::Limits;
pub use value::{Children, Dtype, DtypeKind, Id, NdArray, Node, Pickle, Span};
