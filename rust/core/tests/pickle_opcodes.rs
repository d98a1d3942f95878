//! Hand-built pickles: every opcode the native reader accepts and every one it refuses, the
//! allowed globals and their misuse, and each limit.

mod common;

use common::*;
use nasbench_lite_core::pickle::{parse, ErrorKind, Limit, Limits, Node};

#[test]
fn scalar_opcodes() {
    assert_eq!(text(&p4(b"N")), "N");
    assert_eq!(text(&p4(b"\x88")), "T");
    assert_eq!(text(&p4(b"\x89")), "F");
    assert_eq!(text(&p4(b"J\xff\xff\xff\xff")), "i-1");
    assert_eq!(text(&p4(b"J\x00\x00\x00\x80")), "i-2147483648");
    assert_eq!(text(&p4(b"K\xff")), "i255");
    assert_eq!(text(&p4(b"M\xff\xff")), "i65535");
    assert_eq!(
        text(&p4(b"G?\xf8\x00\x00\x00\x00\x00\x00")),
        "f3ff8000000000000"
    );
}

#[test]
fn long_ints() {
    assert_eq!(text(&p4(b"\x8a\x00")), "i0");
    assert_eq!(text(&p4(b"\x8a\x01\xff")), "i-1");
    assert_eq!(text(&p4(b"\x8a\x02\xff\x00")), "i255");
    // 2**63: nine bytes, a big int; non-minimal encodings of small values are small ints.
    assert_eq!(
        text(&p4(b"\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00")),
        "I000000000000008000"
    );
    assert_eq!(
        text(&p4(b"\x8a\x0a\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00")),
        "i5"
    );
    assert_eq!(
        text(&p4(b"\x8a\x0a\xfb\xff\xff\xff\xff\xff\xff\xff\xff\xff")),
        "i-5"
    );
    assert_eq!(text(&p4(b"\x8b\x02\x00\x00\x00\x00\x01")), "i256");
    assert!(malformed(&p4(b"\x8b\xff\xff\xff\xff"), "negative byte count") == 2);
    // Digit cap: 1,786 bytes is about 4,301 decimal digits.
    let mut big = b"\x8b\xfa\x06\x00\x00".to_vec();
    big.extend(std::iter::repeat_n(1u8, 1786));
    let e = error(&p4(&big));
    assert_eq!(e.kind, exceeded(Limit::IntDigits, 4300));
    assert_eq!(e.offset, Some(2));
    let mut ok = b"\x8b\xf0\x06\x00\x00".to_vec();
    ok.extend(std::iter::repeat_n(1u8, 1776));
    assert!(text(&p4(&ok)).starts_with("I0101"));
}

#[test]
fn strings_and_bytes() {
    assert_eq!(text(&p4(b"\x8c\x02\xc3\xa9")), s("é"));
    assert_eq!(text(&p4(b"X\x01\x00\x00\x00a")), s("a"));
    assert_eq!(text(&p4(b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00a")), s("a"));
    assert_eq!(text(&p4(b"U\x02ab")), s("ab"));
    assert_eq!(text(&p4(b"T\x01\x00\x00\x00z")), s("z"));
    assert_eq!(text(&p4(b"C\x02\x00\xff")), "b00ff");
    assert_eq!(text(&p4(b"B\x01\x00\x00\x00q")), "b71");
    assert_eq!(text(&p4(b"\x8e\x01\x00\x00\x00\x00\x00\x00\x00q")), "b71");
    assert_eq!(text(&p4(b"\x96\x01\x00\x00\x00\x00\x00\x00\x00q")), "B71");
    // A lone surrogate (surrogatepass UTF-8) is kept as its bytes.
    let pickle = parse(&p4(b"\x8c\x04a\xed\xa0\x80"), &Limits::default()).unwrap();
    let Node::SurrogateStr(span) = pickle.node(pickle.root()) else {
        panic!("not a SurrogateStr")
    };
    assert_eq!(pickle.bytes(*span), b"a\xed\xa0\x80");
    assert_eq!(pickle.str(pickle.root()), None);
    malformed(&p4(b"\x8c\x02\xff\xfe"), "not valid UTF-8");
    malformed(&p4(b"U\x01\xe9"), "not ASCII");
    malformed(&p4(b"T\xff\xff\xff\xff"), "negative byte count");
    // Declared lengths past the end are truncation, checked before any allocation.
    assert_eq!(
        error(&p4(b"\x8d\xff\xff\xff\xff\x00\x00\x00\x00a")).kind,
        ErrorKind::Truncated
    );
    let e = error_under(b"C\x04abcd", |l| l.max_str_len = 3);
    assert_eq!(e.kind, exceeded(Limit::StrLen, 3));
}

#[test]
fn containers() {
    assert_eq!(text(&p4(b")")), "()");
    assert_eq!(text(&p4(b"K\x01\x85")), "(i1)");
    assert_eq!(text(&p4(b"K\x01K\x02\x86")), "(i1,i2)");
    assert_eq!(text(&p4(b"K\x01K\x02K\x03\x87")), "(i1,i2,i3)");
    assert_eq!(text(&p4(b"(K\x01K\x02K\x03K\x04t")), "(i1,i2,i3,i4)");
    assert_eq!(text(&p4(b"]K\x01aK\x02a")), "[i1,i2]");
    assert_eq!(text(&p4(b"](K\x01K\x02e")), "[i1,i2]");
    assert_eq!(text(&p4(b"(K\x01K\x02l")), "[i1,i2]");
    assert_eq!(text(&p4(b"}K\x01K\x02s")), "{i1:i2}");
    assert_eq!(text(&p4(b"}(K\x01K\x02K\x03K\x04u")), "{i1:i2,i3:i4}");
    assert_eq!(text(&p4(b"(K\x01K\x02d")), "{i1:i2}");
    assert_eq!(text(&p4(b"\x8f(K\x02K\x01\x90")), "S{i1,i2}");
    assert_eq!(text(&p4(b"(K\x02K\x01\x91")), "Z{i1,i2}");
    // Tuples and frozensets are hashable keys; lists, dicts, sets and bytearrays are not.
    assert_eq!(text(&p4(b"}K\x01\x85K\x02s")), "{(i1):i2}");
    assert_eq!(text(&p4(b"}(\x91K\x02s")), "{Z{}:i2}");
    malformed(&p4(b"}]K\x02s"), "unhashable type: 'list'");
    malformed(&p4(b"}]\x85K\x02s"), "unhashable type: 'tuple'");
    malformed(&p4(b"\x8f(}\x90"), "unhashable type: 'dict'");
    malformed(
        &p4(b"(\x96\x00\x00\x00\x00\x00\x00\x00\x00\x91"),
        "unhashable type: 'bytearray'",
    );
    // Misuse.
    assert_eq!(malformed(&p4(b"]K\x01K\x02s"), "SETITEM on a list"), 7);
    malformed(&p4(b"}K\x01a"), "APPEND to a dict");
    malformed(&p4(b"](K\x01\x90"), "ADDITEMS to a list");
    malformed(&p4(b"}(K\x01u"), "odd number of items");
    malformed(&p4(b"a"), "stack underflow");
    malformed(&p4(b"K\x01(a"), "stack underflow");
    malformed(&p4(b"t"), "could not find MARK");
    malformed(&p4(b"K\x01(\x86"), "stack underflow");
    let e = error_under(b"](K\x01K\x02K\x03e", |l| l.max_container_len = 2);
    assert_eq!(e.kind, exceeded(Limit::ContainerLen, 2));
}

#[test]
fn stack_and_memo() {
    assert_eq!(text(&p4(b"K\x01K\x020")), "i1");
    assert_eq!(text(&p4(b"K\x01(0")), "i1"); // POP takes the MARK when nothing is above it
    assert_eq!(text(&p4(b"K\x01(K\x02K\x031")), "i1");
    assert_eq!(text(&p4(b"K\x012\x86")), "(i1,i1)");
    assert_eq!(text(&p4(b"K\x01q\x050h\x05")), "i1");
    assert_eq!(text(&p4(b"K\x01r\x00\x00\x00\x080j\x00\x00\x00\x08")), "i1");
    assert_eq!(text(&p4(b"K\x07\x940h\x00")), "i7");
    // A memoised list filled after it was fetched: both references see the items.
    assert_eq!(text(&p4(b"]\x94h\x00\x86h\x00K\x01a0")), "([i1],[i1])");
    assert_eq!(malformed(&p4(b"h\x03"), "memo key 3 not found"), 2);
    malformed(&p4(b"\x94"), "stack underflow");
    let e = error_under(b"K\x01\x94\x94K\x02\x94", |l| l.max_memo_entries = 2);
    assert_eq!(e.kind, exceeded(Limit::MemoEntries, 2));
    let e = error_under(b"((((", |l| l.max_stack_depth = 3);
    assert_eq!(
        (e.kind, e.offset),
        (exceeded(Limit::StackDepth, 3), Some(5))
    );
    let e = error_under(b"NNNN", |l| l.max_total_objects = 3);
    assert_eq!(e.kind, exceeded(Limit::TotalObjects, 3));
    // Sparse and dense memo indices mixed, then refilled.
    assert_eq!(
        text(&p4(
            b"K\x01r\x00\x10\x00\x00K\x02q\x00K\x03\x94\x86\x86h\x00j\x00\x10\x00\x00\x86\x86"
        )),
        "((i1,(i2,i3)),(i2,i1))"
    );
}

#[test]
fn framing_and_protocol() {
    assert_eq!(text(b"\x80\x05\x95\x02\x00\x00\x00\x00\x00\x00\x00N."), "N");
    assert_eq!(text(b"\x80\x02N."), "N");
    assert_eq!(text(b"\x80\x02N.trailing bytes are ignored"), "N");
    assert_eq!(
        error(b"\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.").kind,
        ErrorKind::Truncated
    );
    assert_eq!(error(b"").kind, ErrorKind::Truncated);
    assert_eq!(error(b"\x80\x04N").kind, ErrorKind::Truncated);
    assert_eq!(error(b"\x80\x04C\x05ab").kind, ErrorKind::Truncated);
    assert_eq!(malformed(b"N.", "no PROTO"), 0);
    malformed(b"\x80\x01N.", "no PROTO");
    malformed(b"\x80\x06N.", "no PROTO");
    malformed(b"\x80\x04\x80\x07N.", "unsupported pickle protocol");
}

#[test]
fn refused_opcodes() {
    let unsupported = |body: &[u8], opcode: u8| {
        let e = error(&p4(body));
        assert_eq!(e.kind, ErrorKind::UnsupportedOpcode { opcode }, "{e}");
        assert!(!e.is_unsafe());
    };
    unsupported(b"I1\n", b'I');
    unsupported(b"L1L\n", b'L');
    unsupported(b"F1.0\n", b'F');
    unsupported(b"S'a'\n", b'S');
    unsupported(b"Va\n", b'V');
    unsupported(b"Np0\n", b'p');
    unsupported(b"g0\n", b'g');
    unsupported(b"\x97", 0x97); // NEXT_BUFFER: no out-of-band buffers
    unsupported(b"\x98", 0x98);
    unsupported(b"\xff", 0xff);
    unsupported(
        &[global("collections", "OrderedDict"), b")\x81".to_vec()].concat(),
        0x81,
    );
    unsupported(
        &[global("collections", "OrderedDict"), b")}\x92".to_vec()].concat(),
        0x92,
    );
    unsupported(
        &[
            b"(".to_vec(),
            global("collections", "OrderedDict"),
            b"o".to_vec(),
        ]
        .concat(),
        b'o',
    );
    unsupported(b"icollections\nOrderedDict\n", b'i');
    let unsafe_op = |body: &[u8], opcode: u8| {
        let e = error(&p4(body));
        assert!(
            matches!(e.kind, ErrorKind::UnsafeOpcode { opcode: o, .. } if o == opcode),
            "{e}"
        );
        assert!(e.is_unsafe());
        assert_eq!(
            e.offset,
            body.iter().position(|&b| b == opcode).map(|i| i as u64 + 2)
        );
    };
    unsafe_op(b"Pid\n", b'P');
    unsafe_op(b"NQ", b'Q');
    unsafe_op(b"\x82\x01", 0x82);
    unsafe_op(b"\x83\x01\x00", 0x83);
    unsafe_op(b"\x84\x01\x00\x00\x00", 0x84);
}

#[test]
fn refused_globals() {
    let refused = |data: Vec<u8>, module: &str, name: &str, offset: u64| {
        let e = error(&data);
        let expected = ErrorKind::UnsafeGlobal {
            module: module.into(),
            name: name.into(),
        };
        assert_eq!((e.kind.clone(), e.offset), (expected, Some(offset)), "{e}");
        assert!(e.is_unsafe());
    };
    refused(
        p4(&[global("os", "system"), short_str("id"), b"\x85R".to_vec()].concat()),
        "os",
        "system",
        2,
    );
    let stack = [short_str("builtins"), short_str("eval"), b"\x93".to_vec()].concat();
    refused(p4(&stack), "builtins", "eval", 18);
    refused(p4(b"ios\nsystem\n"), "os", "system", 2);
    refused(p4(&global("numpy", "load")), "numpy", "load", 2);
    refused(
        p4(&global("numpy.core.multiarray", "_reconstructx")),
        "numpy.core.multiarray",
        "_reconstructx",
        2,
    );
    refused(
        p4(&global("copyreg", "_reconstructor")),
        "copyreg",
        "_reconstructor",
        2,
    );
    // Echoed names are capped.
    let long = "m".repeat(5000);
    let e = error(&p4(&global(&long, "f")));
    let ErrorKind::UnsafeGlobal { module, .. } = &e.kind else {
        panic!()
    };
    assert!(module.len() < 300 && e.to_string().len() < 600);
    malformed(&p4(b"K\x01K\x02\x93"), "STACK_GLOBAL requires str");
    assert_eq!(error(&p4(b"cos")).kind, ErrorKind::Truncated);
}

#[test]
fn allowed_globals_and_their_misuse() {
    let od = global("collections", "OrderedDict");
    assert_eq!(
        text(&p4(&[od.clone(), b")R(K\x01K\x02u".to_vec()].concat())),
        "O{i1:i2}"
    );
    assert_eq!(
        text(&p4(
            &[od.clone(), b"K\x01K\x02\x86\x85\x85R".to_vec()].concat()
        )),
        "O{i1:i2}"
    );
    assert_eq!(
        text(&p4(&[od.clone(), b"}K\x01K\x02s\x85R".to_vec()].concat())),
        "O{i1:i2}"
    );
    for module in ["builtins", "__builtin__"] {
        assert_eq!(
            text(&p4(&[
                global(module, "set"),
                b"](K\x02K\x01e\x85R".to_vec()
            ]
            .concat())),
            "S{i1,i2}"
        );
        assert_eq!(
            text(&p4(&[global(module, "frozenset"), b")R".to_vec()].concat())),
            "Z{}"
        );
        assert_eq!(
            text(&p4(
                &[global(module, "bytearray"), b"C\x01a\x85R".to_vec()].concat()
            )),
            "B61"
        );
        assert_eq!(
            text(&p4(&[global(module, "bytes"), b")R".to_vec()].concat())),
            "b"
        );
    }
    let encode = [
        global("_codecs", "encode"),
        short_str("\u{ff}a"),
        short_str("latin1"),
        b"\x86R".to_vec(),
    ]
    .concat();
    assert_eq!(text(&p4(&encode)), "bff61");
    let bad_encode = [
        global("_codecs", "encode"),
        short_str("a"),
        short_str("utf-8"),
        b"\x86R".to_vec(),
    ]
    .concat();
    malformed(&p4(&bad_encode), "_codecs.encode");
    malformed(&p4(b"K\x01)R"), "REDUCE on a int");
    malformed(
        &p4(&[od.clone(), b"K\x01R".to_vec()].concat()),
        "instead of an argument tuple",
    );
    malformed(
        &p4(&[od.clone(), b"K\x01\x85R".to_vec()].concat()),
        "unsupported arguments",
    );
    malformed(
        &p4(&[od.clone(), b")R}b".to_vec()].concat()),
        "BUILD on a OrderedDict",
    );
    malformed(&p4(b"}}b"), "BUILD on a dict");
    malformed(
        &p4(&[global("builtins", "set"), b"](]e\x85R".to_vec()].concat()),
        "unhashable type: 'list'",
    );
    // A callable is never data: not in a list, not returned, not inside a returned tuple.
    malformed(
        &p4(&[b"]".to_vec(), od.clone(), b"a".to_vec()].concat()),
        "is a callable",
    );
    malformed(&p4(&od), "is a callable");
    malformed(
        &p4(&[od.clone(), b"\x85".to_vec()].concat()),
        "is a callable",
    );
    malformed(
        &p4(&[global("numpy", "ndarray"), b")R".to_vec()].concat()),
        "only be passed to _reconstruct",
    );
}
