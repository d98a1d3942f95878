//! NumPy scalars and arrays from hand-built pickles, nesting depth, and the hostile inputs of
//! issue #13 (deep nesting in a tiny bz2, a bz2 bomb, a huge memo index, a huge bytes object).

mod common;

use common::*;
use nasbench_lite_core::pickle::{decompress_bz2, load, parse, ErrorKind, Limit, Limits, Node};

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

#[test]
fn numpy_arrays() {
    let data: Vec<u8> = (0u8..24).collect();
    // The pickle of a 2x3 array of the 24 bytes: `version` writes the optional state version,
    // `order` is the Fortran flag (True / False), `code` the dtype.
    let array = |module: &str, version: bool, order: &[u8], code: &str| {
        let head: &[u8] = if version {
            b"(K\x01K\x02K\x03\x86"
        } else {
            b"(K\x02K\x03\x86"
        };
        p4(&[
            reconstruct(module),
            head.to_vec(),
            dtype(code, "<"),
            order.to_vec(),
            vec![b'C', 24],
            data.clone(),
            b"tb".to_vec(),
        ]
        .concat())
    };
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    let c_order = array("numpy.core.multiarray", true, b"\x89", "i4");
    assert_eq!(text(&c_order), format!("A(<i4;2x3;C;{hex})"));
    let fortran_order = array("numpy._core.multiarray", false, b"\x88", "f4");
    assert_eq!(text(&fortran_order), format!("A(<f4;2x3;F;{hex})"));
    let wrong = array("numpy.core.multiarray", true, b"\x89", "f8");
    malformed(&wrong, "has 24 bytes");
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
        (exceeded(Limit::Nesting, 256), Some(2 + 256))
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
    assert_eq!(e.kind, exceeded(Limit::Nesting, 256));
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
    assert_eq!(e.kind, exceeded(Limit::Nesting, 256));
    // The same depth built from MARK ... TUPLE pairs, and as lists.
    let marks = p4(&[vec![b'('; 500_000], vec![b't'; 500_000]].concat());
    assert_eq!(limit_of(&error(&marks).kind), Some(Limit::Nesting));
    let lists = p4(&[vec![b']'; 500_000], vec![b'a'; 499_999]].concat());
    assert_eq!(limit_of(&error(&lists).kind), Some(Limit::Nesting));
}

#[test]
fn hostile_bz2_bomb() {
    // 40 MiB of zeros inside a BINBYTES8: about 100 bytes of bz2 (ratio > 400,000).
    let size = 40u64 << 20;
    let mut raw = b"\x80\x04\x8e".to_vec();
    raw.extend(size.to_le_bytes());
    raw.resize(raw.len() + size as usize, 0);
    raw.push(b'.');
    let compressed = bz2(&raw);
    drop(raw);
    assert!(compressed.len() < 1000);
    let e = decompress_bz2(&compressed, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, exceeded(Limit::Bz2Ratio, 200));
    assert_eq!(e.offset, Some(1 << 20));
    // With the ratio lifted, the absolute cap still holds.
    let limits = Limits {
        max_bz2_ratio: u64::MAX,
        max_input_bytes: 8 << 20,
        ..Limits::default()
    };
    let e = load(&compressed, &limits).unwrap_err();
    assert_eq!(e.kind, exceeded(Limit::InputBytes, 8 << 20));
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
        (exceeded(Limit::StrLen, 1 << 20), Some(2))
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

/// A protocol-4 pickle that memoises `object` (memo 0), then calls `builtins.<callee>(memo[0])`
/// `calls` times, dropping each result, and ends with `None`.
fn copied(object: &[u8], callee: &str, calls: usize) -> Vec<u8> {
    let call = [global("builtins", callee), b"h\x00\x85R0".to_vec()].concat();
    [
        b"\x80\x04".as_slice(),
        object,
        b"\x940",
        &call.repeat(calls),
        b"N.",
    ]
    .concat()
}

#[test]
fn hostile_copy_amplification_is_bounded() {
    // One 1 MiB bytes object, then bytearray(memo[0]) again and again: each call copies it.
    let mut bytes = b"\x8e".to_vec();
    bytes.extend((1u64 << 20).to_le_bytes());
    bytes.resize(bytes.len() + (1 << 20), b'x');
    let e = error(&copied(&bytes, "bytearray", 100));
    assert_eq!(limit_of(&e.kind), Some(Limit::DerivedBytes), "{e}");
    // Two copies fit the budget (input size + 1 MiB).
    assert_eq!(text(&copied(&bytes, "bytearray", 2)), "N");
    // The same with set(list) over a list of 100,000 items.
    let list = [b"](".as_slice(), &b"K\x01".repeat(100_000), b"e"].concat();
    let e = error(&copied(&list, "set", 1000));
    assert_eq!(limit_of(&e.kind), Some(Limit::DerivedBytes), "{e}");
}

#[test]
fn deep_data_within_raised_limits_parses_and_drops_without_recursion() {
    // A million nested tuples and a million nested lists, accepted once the nesting limit is
    // lifted: the parser, the depth walk and the drop are loops (a recursive one would overflow
    // this test thread's 2 MiB stack long before).
    let limits = Limits {
        max_nesting: 3_000_000,
        max_bz2_ratio: u64::MAX,
        ..Limits::default()
    };
    let tuples = p4(&[b")".to_vec(), vec![0x85; 1_000_000]].concat());
    let pickle = parse(&tuples, &limits).unwrap();
    assert_eq!(pickle.nodes().len(), 1_000_001);
    drop(pickle);
    let lists = p4(&[vec![b']'; 1_000_000], vec![b'a'; 999_999]].concat());
    let pickle = load(&bz2(&lists), &limits).unwrap();
    assert_eq!(pickle.node(pickle.root()), &Node::List(vec![1]));
    drop(pickle);
}

#[test]
fn bz2_streams_and_caps_at_the_buffer_edges() {
    // Pseudo-random bytes compress poorly: several buffer doublings before the end.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..3_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    let limits = Limits::default();
    assert_eq!(decompress_bz2(&bz2(&noise), &limits).unwrap(), noise);
    // Concatenated streams decode to the concatenation (as Python's bz2 and MultiBzDecoder).
    let (a, b) = (b"first stream ".repeat(50), b"second".repeat(7));
    let joined = [bz2(&a), bz2(&b)].concat();
    assert_eq!(decompress_bz2(&joined, &limits).unwrap(), [a, b].concat());
    // Garbage after a stream, a stream cut short, a bare header: typed errors, no panic.
    for broken in [
        [bz2(b"x"), b"not bz2".to_vec()].concat(),
        bz2(&noise)[..1000].to_vec(),
        b"BZh9".to_vec(),
    ] {
        let e = decompress_bz2(&broken, &limits).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Bz2(_)), "{e}");
    }
    // Exactly the cap is allowed; one byte more is the limit error at the cap.
    let zeros = vec![0u8; (1 << 20) + 1];
    let tight = Limits {
        max_bz2_ratio: 1,
        ..Limits::default()
    };
    assert_eq!(
        decompress_bz2(&bz2(&zeros[..1 << 20]), &tight)
            .unwrap()
            .len(),
        1 << 20
    );
    let e = decompress_bz2(&bz2(&zeros), &tight).unwrap_err();
    assert_eq!(
        (e.kind, e.offset),
        (
            ErrorKind::LimitExceeded {
                limit: Limit::Bz2Ratio,
                max: 1
            },
            Some(1 << 20)
        )
    );
}
