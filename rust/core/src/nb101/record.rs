//! One record of the official NAS-Bench-101 dataset: the JSON row and its `ModelMetrics` protobuf.
//!
//! Payload = UTF-8 JSON array `[hash, epochs, adjacency digits, "op,op,...", base64(proto)]`
//! (see `shared/formats/nb101.md` §5). The protobuf is decoded by hand (proto2 wire format) so
//! no protobuf compiler or runtime is needed; unknown fields are skipped as protobuf does.

use super::spec::{label_name, INPUT, NUM_OPS, OUTPUT};
use crate::error::{CoreError, CoreResult};
use crate::formats::protobuf::{expect_wire_type, WireReader, FIXED64, LENGTH_DELIMITED, VARINT};
use base64::Engine;

/// `EvaluationData`: one evaluation during training. Absent fields read as proto2 defaults (0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EvalPoint {
    pub current_epoch: f64,
    pub training_time: f64,
    pub train_accuracy: f64,
    pub validation_accuracy: f64,
    pub test_accuracy: f64,
}

/// `ModelMetrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelMetrics {
    pub evaluations: Vec<EvalPoint>,
    pub trainable_parameters: i32,
    pub total_time: f64,
}

/// A parsed record: the JSON fields plus the decoded metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The 32 lowercase hex characters of the stored module hash.
    pub hash: [u8; 32],
    pub epochs: i64,
    pub num_vertices: usize,
    /// Row-major 0/1 adjacency, `num_vertices^2` entries used.
    pub adjacency: [u8; 49],
    /// Op codes (input -1, output -2, conv3x3 0, conv1x1 1, maxpool3x3 2), `num_vertices` used.
    pub ops: [i8; 7],
    pub metrics: ModelMetrics,
}

/// The op code of a dataset op name (the codes of [`super::spec`]).
fn op_code(name: &str) -> Option<i8> {
    [INPUT, OUTPUT]
        .into_iter()
        .chain(0..NUM_OPS)
        .find(|&code| label_name(code) == Some(name))
}

/// Field number of `EvaluationData.checkpoint_path`.
const CHECKPOINT_PATH: u64 = 6;

fn decode_eval(bytes: &[u8]) -> CoreResult<EvalPoint> {
    let mut wire = WireReader::new(bytes);
    let mut point = EvalPoint::default();
    while !wire.done() {
        let (field, wire_type) = wire.key()?;
        let slot = match field {
            1 => Some(&mut point.current_epoch),
            2 => Some(&mut point.training_time),
            3 => Some(&mut point.train_accuracy),
            4 => Some(&mut point.validation_accuracy),
            5 => Some(&mut point.test_accuracy),
            _ => None,
        };
        match slot {
            Some(value) => {
                expect_wire_type(field, wire_type, FIXED64)?;
                *value = wire.fixed64()?;
            }
            // checkpoint_path is not stored, but it is a proto2 `string`: a wrong wire type
            // or non-UTF-8 bytes mean the record is not what the official writer produced.
            None if field == CHECKPOINT_PATH => {
                expect_wire_type(field, wire_type, LENGTH_DELIMITED)?;
                std::str::from_utf8(wire.length_delimited()?).map_err(|e| {
                    CoreError::corrupt(format!("protobuf: checkpoint_path is not UTF-8 ({e})"))
                })?;
            }
            // Unknown fields are skipped, as protobuf runtimes do.
            None => wire.skip(wire_type)?,
        }
    }
    Ok(point)
}

/// Decodes a serialized `nasbench.ModelMetrics`.
///
/// # Errors
/// [`CoreError::CorruptSource`] (no record attached) for any malformed field.
pub fn decode_model_metrics(bytes: &[u8]) -> CoreResult<ModelMetrics> {
    let mut wire = WireReader::new(bytes);
    let mut metrics = ModelMetrics::default();
    while !wire.done() {
        let (field, wire_type) = wire.key()?;
        match field {
            1 => {
                expect_wire_type(field, wire_type, LENGTH_DELIMITED)?;
                metrics
                    .evaluations
                    .push(decode_eval(wire.length_delimited()?)?);
            }
            2 => {
                expect_wire_type(field, wire_type, VARINT)?;
                // int32 is sign-extended to 64 bits on the wire; keep the low 32 bits.
                metrics.trainable_parameters = wire.varint()? as i64 as i32;
            }
            3 => {
                expect_wire_type(field, wire_type, FIXED64)?;
                metrics.total_time = wire.fixed64()?;
            }
            _ => wire.skip(wire_type)?,
        }
    }
    Ok(metrics)
}

/// Parses one payload.
///
/// # Errors
/// [`CoreError::CorruptSource`] (no record attached) with a message naming the bad field.
pub fn parse_payload(payload: &[u8]) -> CoreResult<Record> {
    let (hash, epochs, adjacency, ops, metrics): (String, i64, String, String, String) =
        serde_json::from_slice(payload)
            .map_err(|e| CoreError::corrupt(format!("bad JSON row: {e}")))?;
    let hash_bytes = hash.as_bytes();
    if hash_bytes.len() != 32
        || !hash_bytes
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    {
        return Err(CoreError::corrupt(format!(
            "bad module hash {hash:?} (want 32 lowercase hex characters)"
        )));
    }
    let num_vertices = (1..=7usize)
        .find(|v| v * v == adjacency.len())
        .ok_or_else(|| {
            CoreError::corrupt(format!(
                "adjacency has {} digits, not V*V for V in 1..=7",
                adjacency.len()
            ))
        })?;
    let mut matrix = [0u8; 49];
    for (entry, c) in matrix.iter_mut().zip(adjacency.bytes()) {
        *entry = match c {
            b'0' => 0,
            b'1' => 1,
            other => {
                return Err(CoreError::corrupt(format!(
                    "adjacency digit {:?} is not 0 or 1",
                    other as char
                )))
            }
        };
    }
    let names: Vec<&str> = ops.split(',').collect();
    if names.len() != num_vertices {
        return Err(CoreError::corrupt(format!(
            "{} ops for a {num_vertices}-vertex matrix",
            names.len()
        )));
    }
    let mut codes = [0i8; 7];
    for (slot, name) in codes.iter_mut().zip(&names) {
        *slot = op_code(name).ok_or_else(|| CoreError::corrupt(format!("unknown op {name:?}")))?;
    }
    let proto = base64::engine::general_purpose::STANDARD
        .decode(metrics.as_bytes())
        .map_err(|e| CoreError::corrupt(format!("bad base64 metrics: {e}")))?;
    let metrics = decode_model_metrics(&proto)?;
    let mut hash_out = [0u8; 32];
    hash_out.copy_from_slice(hash_bytes);
    Ok(Record {
        hash: hash_out,
        epochs,
        num_vertices,
        adjacency: matrix,
        ops: codes,
        metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn eval_bytes(values: [f64; 5], path: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            out.push(((i as u8 + 1) << 3) | 1);
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(0x32);
        varint(path.len() as u64, &mut out);
        out.extend_from_slice(path.as_bytes());
        out
    }

    fn metrics_bytes(params: i32) -> Vec<u8> {
        let mut out = Vec::new();
        for e in [
            [0.0, 0.0, 0.1, 0.1, 0.1],
            [54.0, 1.5, 0.5, 0.4, 0.3],
            [108.0, 3.25, 1.0, 0.9, 0.8],
        ] {
            let inner = eval_bytes(e, "gs://x");
            out.push(0x0a);
            varint(inner.len() as u64, &mut out);
            out.extend_from_slice(&inner);
        }
        out.push(0x10);
        varint(params as i64 as u64, &mut out);
        out.push(0x19);
        out.extend_from_slice(&4.5f64.to_le_bytes());
        out.extend_from_slice(&[0xf8, 0x07, 0x01]); // unknown varint field 127
        out
    }

    #[test]
    fn decodes_metrics() {
        let m = decode_model_metrics(&metrics_bytes(2694282)).unwrap();
        assert_eq!(m.evaluations.len(), 3);
        assert_eq!(m.evaluations[2].training_time, 3.25);
        assert_eq!(m.evaluations[1].test_accuracy, 0.3);
        assert_eq!(m.trainable_parameters, 2694282);
        assert_eq!(m.total_time, 4.5);
        assert_eq!(
            decode_model_metrics(&metrics_bytes(-5))
                .unwrap()
                .trainable_parameters,
            -5
        );
    }

    #[test]
    fn rejects_broken_protobuf() {
        let good = metrics_bytes(1);
        assert!(decode_model_metrics(&good[..good.len() - 20]).is_err());
        assert!(decode_model_metrics(&[0x0a, 0x05, 0x09]).is_err());
        assert!(decode_model_metrics(&[0x0b]).is_err());
    }

    #[test]
    fn rejects_field_zero_and_malformed_checkpoint_paths() {
        let message = |bytes: &[u8]| decode_model_metrics(bytes).unwrap_err().to_string();
        let eval = |inner: &[u8]| {
            let mut out = vec![0x0a];
            varint(inner.len() as u64, &mut out);
            out.extend_from_slice(inner);
            out
        };
        let mut good = metrics_bytes(3);
        assert!(decode_model_metrics(&good).is_ok());
        // Field 0 in ModelMetrics (varint, fixed64, length-delimited) and in EvaluationData.
        for zero in [
            &[0x00, 0x01][..],
            &[0x01, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0x02, 0x00],
        ] {
            good.extend_from_slice(zero);
            assert!(message(&good).contains("field number 0"), "{zero:?}");
            good.truncate(good.len() - zero.len());
            assert!(message(&eval(zero)).contains("field number 0"), "{zero:?}");
        }
        // checkpoint_path (6) as a varint, a fixed64, a fixed32, or with bytes that are not UTF-8.
        for bad in [
            &[0x30, 0x01][..],
            &[0x31, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0x35, 0, 0, 0, 0],
        ] {
            assert!(
                message(&eval(bad)).contains("field 6 has wire type"),
                "{bad:?}"
            );
        }
        for bytes in [&[0xff][..], &[0xc3], &[0xed, 0xa0, 0x80], b"ok\xc0\xaf"] {
            let mut inner = vec![0x32, bytes.len() as u8];
            inner.extend_from_slice(bytes);
            assert!(message(&eval(&inner)).contains("not UTF-8"), "{bytes:?}");
        }
        // Empty and multi-byte UTF-8 paths are fine.
        for path in ["", "gs://r\u{e9}seau/\u{6a21}\u{578b}/ckpt-\u{221e}"] {
            let inner = eval_bytes([1.0; 5], path);
            assert!(decode_model_metrics(&eval(&inner)).is_ok(), "{path}");
        }
    }

    #[test]
    fn parses_a_row() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(metrics_bytes(7));
        let row = format!(
            "[\"b49ac8c578b4561d79ac7087988f1c61\", 108, \"010001000\", \"input,conv3x3-bn-relu,output\", \"{b64}\"]"
        );
        let r = parse_payload(row.as_bytes()).unwrap();
        assert_eq!(r.num_vertices, 3);
        assert_eq!(&r.ops[..3], &[-1, 0, -2]);
        assert_eq!(&r.adjacency[..9], &[0, 1, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(r.epochs, 108);
        assert_eq!(r.metrics.trainable_parameters, 7);
        for bad in [
            row.replace("108", "\"108\""),
            row.replace("010001000", "0100010"),
            row.replace("010001000", "010001002"),
            row.replace("conv3x3-bn-relu", "conv5x5"),
            row.replace("b49ac8c5", "B49AC8C5"),
            row.replace(&b64, "!!!"),
            row[..row.len() - 1].to_string(),
        ] {
            assert!(parse_payload(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn op_names_map_to_the_spec_codes() {
        assert_eq!(op_code("input"), Some(INPUT));
        assert_eq!(op_code("output"), Some(OUTPUT));
        assert_eq!(op_code("maxpool3x3"), Some(2));
        assert_eq!(op_code(""), None);
        assert_eq!(op_code("conv5x5"), None);
    }

    #[test]
    fn errors_carry_the_reason() {
        let err = parse_payload(b"[1]").unwrap_err();
        assert!(
            matches!(&err, CoreError::CorruptSource { record: None, message, .. }
                if message.starts_with("bad JSON row")),
            "{err:?}"
        );
        let err = decode_model_metrics(&[0x80]).unwrap_err();
        assert_eq!(err.to_string(), "protobuf: truncated varint");
    }
}
