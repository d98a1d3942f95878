//! Hand-built pickles: every opcode the native reader accepts and every one it refuses, the
//! allowed globals and their misuse, each limit, and the hostile inputs of issue #13.

use nasbench_lite_core::pickle::dump::dump;
use nasbench_lite_core::pickle::{
    decompress_bz2, load, parse, ErrorKind, Limit, Limits, Node, PickleError,
};

/// `PROTO 4`, the body, `STOP`.
fn p4(body: &[u8]) -> Vec<u8> {
    [b"\x80\x04".as_slice(), body, b"."].concat()
}

fn text(data: &[u8]) -> String {
    let pickle = parse(data, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    dump(&pickle, 1 << 20).unwrap()
}

fn error(data: &[u8]) -> PickleError {
    error_with(data, &Limits::default())
}

fn error_with(data: &[u8], limits: &Limits) -> PickleError {
    match parse(data, limits) {
        Ok(pickle) => panic!("accepted: {:?}", dump(&pickle, 1000)),
        Err(e) => e,
    }
}

fn malformed(data: &[u8], needle: &str) -> u64 {
    let e = error(data);
    match &e.kind {
        ErrorKind::Malformed(message) if message.contains(needle) => {}
        _ => panic!("expected a Malformed error containing {needle:?}, got {e}"),
    }
    assert!(!e.is_unsafe());
    e.offset.expect("an offset")
}

fn s(text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
    format!("s{hex}")
}

fn global(module: &str, name: &str) -> Vec<u8> {
    format!("c{module}\n{name}\n").into_bytes()
}

fn short_str(text: &str) -> Vec<u8> {
    [&[0x8c, text.len() as u8][..], text.as_bytes()].concat()
}

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
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::IntDigits,
            max: 4300
        }
    );
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
    assert_eq!(
        pickle.node(pickle.root()),
        &Node::SurrogateStr(b"a\xed\xa0\x80".as_slice().into())
    );
    malformed(&p4(b"\x8c\x02\xff\xfe"), "not valid UTF-8");
    malformed(&p4(b"U\x01\xe9"), "not ASCII");
    malformed(&p4(b"T\xff\xff\xff\xff"), "negative byte count");
    // Declared lengths past the end are truncation, checked before any allocation.
    assert_eq!(
        error(&p4(b"\x8d\xff\xff\xff\xff\x00\x00\x00\x00a")).kind,
        ErrorKind::Truncated
    );
    let small = Limits {
        max_str_len: 3,
        ..Limits::default()
    };
    let e = error_with(&p4(b"C\x04abcd"), &small);
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::StrLen,
            max: 3
        }
    );
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
    let tiny = Limits {
        max_container_len: 2,
        ..Limits::default()
    };
    let e = error_with(&p4(b"](K\x01K\x02K\x03e"), &tiny);
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::ContainerLen,
            max: 2
        }
    );
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
    let e = error_with(
        &p4(b"K\x01\x94\x94K\x02\x94"),
        &Limits {
            max_memo_entries: 2,
            ..Limits::default()
        },
    );
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::MemoEntries,
            max: 2
        }
    );
    let e = error_with(
        &p4(b"(((("),
        &Limits {
            max_stack_depth: 3,
            ..Limits::default()
        },
    );
    assert_eq!(
        (e.kind, e.offset),
        (
            ErrorKind::LimitExceeded {
                limit: Limit::StackDepth,
                max: 3
            },
            Some(5)
        )
    );
    let e = error_with(
        &p4(b"NNNN"),
        &Limits {
            max_total_objects: 3,
            ..Limits::default()
        },
    );
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::TotalObjects,
            max: 3
        }
    );
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

/// `numpy.dtype(code, False, True)` + BUILD (version, byteorder, ...), as NumPy pickles it.
fn dtype(code: &str, order: &str) -> Vec<u8> {
    [
        global("numpy", "dtype"),
        short_str(code),
        b"\x89\x88\x87R(K\x03".to_vec(),
        short_str(order),
        b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb".to_vec(),
    ]
    .concat()
}

fn scalar(code: &str, order: &str, data: &[u8]) -> Vec<u8> {
    let module = if code == "f8" {
        "numpy.core.multiarray"
    } else {
        "numpy._core.multiarray"
    };
    [
        global(module, "scalar"),
        dtype(code, order),
        vec![b'C', data.len() as u8],
        data.to_vec(),
        b"\x86R".to_vec(),
    ]
    .concat()
}

#[test]
fn numpy_scalars() {
    assert_eq!(
        text(&p4(&scalar("f8", "<", &1.5f64.to_le_bytes()))),
        "f3ff8000000000000"
    );
    assert_eq!(
        text(&p4(&scalar("f8", ">", &1.5f64.to_be_bytes()))),
        "f3ff8000000000000"
    );
    assert_eq!(
        text(&p4(&scalar("f4", "<", &(-3.25f32).to_le_bytes()))),
        format!("f{:016x}", (-3.25f64).to_bits())
    );
    assert_eq!(text(&p4(&scalar("i8", "<", &(-7i64).to_le_bytes()))), "i-7");
    assert_eq!(text(&p4(&scalar("i4", ">", &(-7i32).to_be_bytes()))), "i-7");
    assert_eq!(text(&p4(&scalar("i2", "<", &(-7i16).to_le_bytes()))), "i-7");
    assert_eq!(text(&p4(&scalar("i1", "|", &[0xf9]))), "i-7");
    assert_eq!(text(&p4(&scalar("u1", "|", &[0xf9]))), "i249");
    assert_eq!(text(&p4(&scalar("u2", "<", &[0xff, 0xff]))), "i65535");
    assert_eq!(text(&p4(&scalar("u4", "=", &[0xff; 4]))), "i4294967295");
    assert_eq!(
        text(&p4(&scalar("u8", "<", &[0xff; 8]))),
        "Iffffffffffffffff00"
    );
    assert_eq!(text(&p4(&scalar("b1", "|", &[2]))), "T");
    assert_eq!(text(&p4(&scalar("b1", "|", &[0]))), "F");
    assert_eq!(text(&p4(&scalar("U2", "<", b"a\0\0\0\0\0\0\0"))), s("a"));
    assert_eq!(text(&p4(&scalar("U1", ">", b"\0\0\0b"))), s("b"));
    assert_eq!(text(&p4(&scalar("S3", "|", b"xy\0"))), "b7879");
    malformed(&p4(&scalar("f8", "<", &[0; 4])), "has 4 bytes");
    malformed(&p4(&scalar("U1", "<", b"\0\xd8\0\0")), "invalid code point");
    malformed(&p4(&scalar("U1", "<", &[0; 3])), "has 3 bytes");
    malformed(
        &p4(&[global("numpy", "dtype"), short_str("O8"), b"\x85R".to_vec()].concat()),
        "unsupported NumPy dtype",
    );
    malformed(
        &p4(&[
            global("numpy", "dtype"),
            short_str("U-1"),
            b"\x85R".to_vec(),
        ]
        .concat()),
        "unsupported NumPy dtype",
    );
    malformed(
        &p4(&[
            global("numpy", "dtype"),
            short_str("f8"),
            b"\x85R)b".to_vec(),
        ]
        .concat()),
        "malformed NumPy dtype state",
    );
    malformed(
        &p4(&[
            global("numpy", "dtype"),
            short_str("f8"),
            b"\x85RNK\x01\x86b".to_vec(),
        ]
        .concat()),
        "malformed NumPy dtype state",
    );
    let not_dtype = [
        global("numpy.core.multiarray", "scalar"),
        b"NC\x00\x86R".to_vec(),
    ]
    .concat();
    malformed(&p4(&not_dtype), "expected a numpy.dtype");
    // A dtype on its own is a value.
    assert_eq!(text(&p4(&dtype("i2", ">"))), "D>i2");
}

fn reconstruct(module: &str) -> Vec<u8> {
    [
        global(module, "_reconstruct"),
        global("numpy", "ndarray"),
        b"K\x00\x85C\x01b\x87R".to_vec(),
    ]
    .concat()
}

#[test]
fn numpy_arrays() {
    let data: Vec<u8> = (0u8..24).collect();
    let state = |version: bool, order: &[u8], code: &str, len: u8| {
        let head: &[u8] = if version {
            b"(K\x01K\x02K\x03\x86"
        } else {
            b"(K\x02K\x03\x86"
        };
        [
            head.to_vec(),
            dtype(code, "<"),
            order.to_vec(),
            vec![b'C', len],
            data[..len as usize].to_vec(),
            b"tb".to_vec(),
        ]
        .concat()
    };
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    let array = [
        reconstruct("numpy.core.multiarray"),
        state(true, b"\x89", "i4", 24),
    ]
    .concat();
    assert_eq!(text(&p4(&array)), format!("A(<i4;2x3;C;{hex})"));
    let array = [
        reconstruct("numpy._core.multiarray"),
        state(false, b"\x88", "f4", 24),
    ]
    .concat();
    assert_eq!(text(&p4(&array)), format!("A(<f4;2x3;F;{hex})"));
    let wrong = [
        reconstruct("numpy.core.multiarray"),
        state(true, b"\x89", "f8", 24),
    ]
    .concat();
    malformed(&p4(&wrong), "has 24 bytes");
    // Object arrays carry a list of objects: refused.
    let object = [
        reconstruct("numpy.core.multiarray"),
        b"(K\x01K\x01\x85".to_vec(),
        dtype("i8", "<"),
        b"\x89]t b".to_vec(),
    ]
    .concat();
    malformed(
        &p4(&object
            .into_iter()
            .filter(|&b| b != b' ')
            .collect::<Vec<_>>()),
        "object arrays",
    );
    let not_ndarray = [
        global("numpy.core.multiarray", "_reconstruct"),
        b"NK\x00\x85C\x01b\x87R".to_vec(),
    ]
    .concat();
    malformed(&p4(&not_ndarray), "only numpy.ndarray");
    // An unbuilt _reconstruct is NumPy's empty int8 array.
    assert_eq!(
        text(&p4(&reconstruct("numpy.core.multiarray"))),
        "A(|i1;0;C;)"
    );
    // Protocol 5 in-band: _frombuffer(bytearray, dtype, shape, order).
    let frombuffer = |order: &str, shape: &[u8]| {
        [
            global("numpy._core.numeric", "_frombuffer"),
            b"(\x96\x18\x00\x00\x00\x00\x00\x00\x00".to_vec(),
            data.clone(),
            dtype("u2", "<"),
            shape.to_vec(),
            short_str(order),
            b"tR".to_vec(),
        ]
        .concat()
    };
    assert_eq!(
        text(&p4(&frombuffer("F", b"K\x03K\x04\x86"))),
        format!("A(<u2;3x4;F;{hex})")
    );
    assert_eq!(
        text(&p4(&frombuffer("C", b"K\x0c\x85"))),
        format!("A(<u2;12;C;{hex})")
    );
    malformed(&p4(&frombuffer("K", b"K\x0c\x85")), "order must be");
    malformed(&p4(&frombuffer("C", b"K\x0d\x85")), "has 24 bytes");
    malformed(
        &p4(&frombuffer("C", b"J\xff\xff\xff\xff\x85")),
        "non-negative",
    );
    // A shape whose element count overflows u64 is a size mismatch, not a wrap-around.
    let overflow = b"(J\xff\xff\xff\x7fJ\xff\xff\xff\x7fJ\xff\xff\xff\x7fJ\xff\xff\xff\x7ft";
    malformed(&p4(&frombuffer("C", overflow)), "has 24 bytes");
}

#[test]
fn nesting_depth() {
    // 300 nested tuples: over the default 256, refused at the tuple that crosses it.
    let deep = p4(&[b")".to_vec(), vec![0x85; 300]].concat());
    let e = error(&deep);
    assert_eq!(
        (e.kind, e.offset),
        (
            ErrorKind::LimitExceeded {
                limit: Limit::Nesting,
                max: 256
            },
            Some(2 + 256)
        )
    );
    assert!(text(&p4(&[b")".to_vec(), vec![0x85; 255]].concat())).starts_with("(((("));
    // Lists built top-down through the memo: each looked shallow when it was appended, so the
    // exact depth is only known once the stream ends.
    let mut body = b"]\x94".to_vec();
    for i in 0..300u32 {
        body.extend(b"j");
        body.extend(i.to_le_bytes());
        body.extend(b"]\x94a0");
    }
    body.extend(b"j\x00\x00\x00\x00");
    let e = error(&p4(&body));
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::Nesting,
            max: 256
        }
    );
    let limits = Limits {
        max_nesting: 400,
        ..Limits::default()
    };
    assert!(parse(&p4(&body), &limits).is_ok());
    // A list that contains itself is legal (Python builds it); the walk stops at the cycle.
    let pickle = parse(&p4(b"]\x94h\x00a"), &Limits::default()).unwrap();
    assert_eq!(pickle.node(pickle.root()), &Node::List(vec![pickle.root()]));
}

#[test]
fn unreachable_scaffolding_is_dropped() {
    // The dtype, its state tuple, the scalar global and the argument tuple are gone.
    let pickle = parse(
        &p4(&[
            b"]".to_vec(),
            scalar("f8", "<", &2.0f64.to_le_bytes()),
            b"a".to_vec(),
        ]
        .concat()),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(pickle.nodes().len(), 2);
    assert_eq!(pickle.root(), 0);
    assert_eq!(pickle.node(0), &Node::List(vec![1]));
}

// ---- the hostile inputs of issue #13 -------------------------------------------------------

#[test]
fn hostile_deep_nesting_65_byte_bz2() {
    // One MARK and a million nested tuples: a few dozen bytes compressed.
    let raw = p4(&[b")".to_vec(), vec![0x85; 1_000_000]].concat());
    let compressed = bz2(&raw);
    assert!(compressed.len() < 100, "{} bytes", compressed.len());
    let limits = Limits {
        max_bz2_ratio: 1 << 20,
        ..Limits::default()
    };
    let e = load(&compressed, &limits).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::Nesting,
            max: 256
        }
    );
    // The same depth built from MARK ... TUPLE pairs, and as lists.
    let marks = p4(&[vec![b'('; 500_000], vec![b't'; 500_000]].concat());
    assert!(matches!(
        error(&marks).kind,
        ErrorKind::LimitExceeded {
            limit: Limit::Nesting,
            ..
        }
    ));
    let lists = p4(&[vec![b']'; 500_000], vec![b'a'; 499_999]].concat());
    assert!(matches!(
        error(&lists).kind,
        ErrorKind::LimitExceeded {
            limit: Limit::Nesting,
            ..
        }
    ));
}

#[test]
fn hostile_bz2_bomb() {
    // 200 MB of zeros inside a BINBYTES8: ~150 bytes of bz2.
    let size = 200u64 << 20;
    let mut raw = b"\x80\x04\x8e".to_vec();
    raw.extend(size.to_le_bytes());
    raw.resize(raw.len() + size as usize, 0);
    raw.push(b'.');
    let compressed = bz2(&raw);
    drop(raw);
    assert!(compressed.len() < 1000);
    let e = decompress_bz2(&compressed, &Limits::default()).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::Bz2Ratio,
            max: 200
        }
    );
    assert_eq!(e.offset, Some(1 << 20));
    // With the ratio lifted, the absolute cap still holds.
    let limits = Limits {
        max_bz2_ratio: u64::MAX,
        max_input_bytes: 8 << 20,
        ..Limits::default()
    };
    let e = load(&compressed, &limits).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::LimitExceeded {
            limit: Limit::InputBytes,
            max: 8 << 20
        }
    );
    // Corrupt bz2 is a typed error too.
    let mut broken = compressed.clone();
    broken[20] ^= 0xff;
    assert!(matches!(
        load(&broken, &Limits::default()).unwrap_err().kind,
        ErrorKind::Bz2(_) | ErrorKind::LimitExceeded { .. }
    ));
    let small = bz2(&p4(&[b"]".to_vec(), b"K\x01a".repeat(1000)].concat()));
    let e = load(&small[..small.len() / 2], &Limits::default()).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Bz2(_)), "{e}");
}

#[test]
fn hostile_huge_memo_index() {
    // LONG_BINPUT 2**27 then a fetch: one sparse entry, no 2**27-slot table.
    assert_eq!(
        text(b"\x80\x04K\x01r\x00\x00\x00\x08j\x00\x00\x00\x08\x86."),
        "(i1,i1)"
    );
    // Ten thousand scattered huge indices stay in the map.
    let mut body = b"K\x01".to_vec();
    for i in 0..10_000u32 {
        body.push(b'r');
        body.extend((0xffff_0000 - i * 4099).to_le_bytes());
    }
    assert_eq!(text(&p4(&body)), "i1");
}

#[test]
fn hostile_huge_bytes_object() {
    // A declared 256 MiB bytes object in a 30-byte file: truncation, nothing allocated.
    let mut raw = b"\x80\x04\x8e".to_vec();
    raw.extend((256u64 << 20).to_le_bytes());
    raw.extend(b"abc.");
    assert_eq!(error(&raw).kind, ErrorKind::Truncated);
    // Present in full but above a per-kind limit.
    let limits = Limits {
        max_str_len: 1 << 20,
        ..Limits::default()
    };
    let mut raw = b"\x80\x04\x8e".to_vec();
    raw.extend((2u64 << 20).to_le_bytes());
    raw.resize(raw.len() + (2 << 20), b'x');
    raw.push(b'.');
    let e = error_with(&raw, &limits);
    assert_eq!(
        (e.kind, e.offset),
        (
            ErrorKind::LimitExceeded {
                limit: Limit::StrLen,
                max: 1 << 20
            },
            Some(2)
        )
    );
}

#[test]
fn hostile_memo_fanout_stays_linear() {
    // "Billion laughs": each level a tuple of the previous one twice. A tree would double at
    // every level; the arena holds one node per level.
    let mut body = b"N\x94".to_vec();
    for i in 0..200u32 {
        body.push(b'j');
        body.extend(i.to_le_bytes());
        body.extend(b"2\x86\x94");
    }
    let pickle = parse(&p4(&body), &Limits::default()).unwrap();
    assert_eq!(pickle.nodes().len(), 201);
}

fn bz2(data: &[u8]) -> Vec<u8> {
    use bzip2::write::BzEncoder;
    use std::io::Write;
    let mut encoder = BzEncoder::new(Vec::new(), bzip2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}
