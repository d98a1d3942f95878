//! Exact parameter and FLOP counts of the NAS-Bench-101 network for any cell.
//!
//! Network (model_builder.py, see `shared/formats/nb101.md` §7): a 3x3 stem conv 3->128 with BN,
//! three stacks of three modules at 32x32, 16x16 and 8x8 (a 2x2 max-pool and channel doubling
//! before stacks 1 and 2: 128, 256, 512), global average pool, dense 512->10.
//!
//! Parameters (trainable only: conv weights, BN gamma/beta, dense weights and bias):
//! conv k x k at vertex t `k^2 C_t^2 + 2 C_t`; an input edge 0->t adds a 1x1 projection
//! `in_c C_t + 2 C_t`; an input->output edge adds `in_c out_c + 2 out_c`; stem 3712; head 5130.
//!
//! FLOPs follow the NAR cell-information files (2 per multiply-add; BN, ReLU, concat and
//! truncation free): vertex t costs its op (`2 s^2 k^2 C_t^2` for a conv, `9 s^2 C_t` for the
//! 3x3 max-pool), its input projection (`2 s^2 in_c C_t`) and the additions merging its inputs
//! (`(n_in - 1) s^2 C_t`). Totals add the stem, the two 2x2 max-pools (4 per output element),
//! the global mean (one per input element) and the classifier (`2*512*10 + 10`). The NAR
//! example has no input->output edge; we count its projection and add
//! (`2 s^2 in_c out_c + s^2 out_c`) in the totals only, never in a vertex.

use super::hash::Cell;
use super::spec::{check_rows, Status};
use crate::error::{CoreError, CoreResult};
use rayon::prelude::*;

/// Interior op labels.
const CONV3X3: i8 = 0;
const CONV1X1: i8 = 1;
const MAXPOOL3X3: i8 = 2;

/// Largest cell the network builder takes (`module_vertices`).
pub const MAX_VERTICES: usize = 7;
pub const NUM_STACKS: usize = 3;
pub const MODULES_PER_STACK: usize = 3;
pub const STEM_CHANNELS: u64 = 128;
const NUM_LABELS: u64 = 10;
const IMAGE_SIDE: u64 = 32;

/// Costs of one cell placed in the whole network (all zero by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellCosts {
    /// Per module (stack-major: `3 * stack + module`), per vertex (7 slots, unused ones 0).
    pub vertex_flops: [[u64; 7]; 9],
    pub vertex_params: [[u64; 7]; 9],
    /// Whole-network totals.
    pub flops: u64,
    pub trainable_parameters: u64,
}

/// `compute_vertex_channels` of model_builder.py for a pruned cell of 2..=7 vertices.
fn vertex_channels(cell: &Cell, in_c: u64, out_c: u64) -> [u64; 7] {
    let n = cell.num_vertices as usize;
    let mut channels = [0u64; 7];
    channels[0] = in_c;
    channels[n - 1] = out_c;
    if n == 2 {
        return channels;
    }
    let output = n - 1;
    // Interior vertices feeding the output share its channels, the first ones get the rest.
    let feeders: Vec<usize> = (1..output)
        .filter(|&v| cell.out_mask[v] >> output & 1 == 1)
        .collect();
    let k = feeders.len() as u64;
    for (i, &v) in feeders.iter().enumerate() {
        channels[v] = out_c / k + u64::from((i as u64) < out_c % k);
    }
    // Vertices not feeding the output take the widest of their interior successors.
    for v in (1..n - 2).rev() {
        if cell.out_mask[v] >> output & 1 == 0 {
            channels[v] = (v + 1..output)
                .filter(|&w| cell.out_mask[v] >> w & 1 == 1)
                .map(|w| channels[w])
                .max()
                .unwrap_or(0);
        }
    }
    channels
}

/// Costs of a pruned, valid cell (2..=7 vertices, labels -1 / ops / -2).
///
/// # Errors
/// [`CoreError::InvalidInput`] for a cell of fewer than 2 or more than 7 vertices or with an
/// interior label that is not an op (callers pass cells [`super::spec::check_row`] accepted).
pub fn cell_costs(cell: &Cell) -> CoreResult<CellCosts> {
    let n = cell.num_vertices as usize;
    if !(2..=MAX_VERTICES).contains(&n) {
        return Err(CoreError::invalid_input(format!(
            "costs need a pruned cell of 2..=7 vertices, got {n}"
        )));
    }
    let output = n - 1;
    if let Some(&label) = cell.labels[1..output]
        .iter()
        .find(|label| !(CONV3X3..=MAXPOOL3X3).contains(*label))
    {
        return Err(CoreError::invalid_input(format!(
            "label {label} is not an interior op"
        )));
    }
    let mut costs = CellCosts {
        vertex_flops: [[0; 7]; 9],
        vertex_params: [[0; 7]; 9],
        flops: 0,
        trainable_parameters: 0,
    };
    let stem_params = 3 * 3 * 3 * STEM_CHANNELS + 2 * STEM_CHANNELS;
    let stem_flops = 2 * IMAGE_SIDE * IMAGE_SIDE * 27 * STEM_CHANNELS;
    let mut params = stem_params;
    let mut flops = stem_flops;
    let mut in_c = STEM_CHANNELS;
    for stack in 0..NUM_STACKS {
        let out_c = STEM_CHANNELS << stack;
        let side = IMAGE_SIDE >> stack;
        let area = side * side;
        if stack > 0 {
            flops += 4 * area * in_c; // 2x2 max-pool: 4 comparisons per output element
        }
        for module in 0..MODULES_PER_STACK {
            let slot = stack * MODULES_PER_STACK + module;
            let channels = vertex_channels(cell, in_c, out_c);
            for (t, &c) in channels.iter().enumerate().take(output).skip(1) {
                let (mut vf, mut vp) = match cell.labels[t] {
                    CONV3X3 => (2 * area * 9 * c * c, 9 * c * c + 2 * c),
                    CONV1X1 => (2 * area * c * c, c * c + 2 * c),
                    // MAXPOOL3X3: the only label left after the check above.
                    _ => (9 * area * c, 0),
                };
                let from_input = cell.in_mask[t] & 1 == 1;
                if from_input {
                    vf += 2 * area * in_c * c;
                    vp += in_c * c + 2 * c;
                }
                let interior_inputs = (cell.in_mask[t] & !1).count_ones() as u64;
                let n_in = interior_inputs + u64::from(from_input);
                vf += n_in.saturating_sub(1) * area * c;
                costs.vertex_flops[slot][t] = vf;
                costs.vertex_params[slot][t] = vp;
                flops += vf;
                params += vp;
            }
            if cell.out_mask[0] >> output & 1 == 1 {
                params += in_c * out_c + 2 * out_c;
                flops += 2 * area * in_c * out_c;
                // Added to the concatenation, unless it is the whole output (2-vertex cell).
                if n > 2 {
                    flops += area * out_c;
                }
            }
            in_c = out_c;
        }
    }
    let last_area = (IMAGE_SIDE >> (NUM_STACKS - 1)).pow(2);
    flops += last_area * in_c; // global average pool
    flops += 2 * in_c * NUM_LABELS + NUM_LABELS; // classifier multiply-adds + bias
    params += in_c * NUM_LABELS + NUM_LABELS;
    costs.flops = flops;
    costs.trainable_parameters = params;
    Ok(costs)
}

/// Checks every padded row as [`check_rows`] does and costs the valid ones, in parallel.
///
/// Returns each row's status with the costs of its pruned cell (`None` for invalid rows).
///
/// # Errors
/// [`CoreError::InvalidInput`] for rows wider than [`MAX_VERTICES`] or buffers that are not
/// whole rows (see [`super::spec::batch_rows`]).
pub fn check_and_cost(
    width: usize,
    matrices: &[u8],
    codes: &[i8],
) -> CoreResult<Vec<(Status, Option<CellCosts>)>> {
    if width > MAX_VERTICES {
        return Err(CoreError::invalid_input(format!(
            "costs take cells of at most {MAX_VERTICES} vertices, got width {width}"
        )));
    }
    check_rows(width, matrices, codes)?
        .into_par_iter()
        .map(|(result, cell)| Ok((result.status, cell.as_ref().map(cell_costs).transpose()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(rows: [[u8; 7]; 7], labels: [i8; 7]) -> Cell {
        let flat: Vec<u8> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Cell::from_matrix(7, &flat, &labels).unwrap()
    }

    #[test]
    fn readme_inception_cell_has_the_official_parameter_count() {
        let c = cell(
            [
                [0, 1, 1, 1, 0, 1, 0],
                [0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 1, 0, 0],
                [0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 0],
            ],
            [-1, 1, 0, 0, 0, 2, -2],
        );
        assert_eq!(cell_costs(&c).unwrap().trainable_parameters, 2_694_282);
    }

    #[test]
    fn nar_example_record_is_reproduced_exactly() {
        let c = cell(
            [
                [0, 1, 0, 0, 1, 1, 0],
                [0, 0, 1, 0, 0, 0, 0],
                [0, 0, 0, 1, 0, 0, 1],
                [0, 0, 0, 0, 0, 1, 0],
                [0, 0, 0, 0, 0, 1, 0],
                [0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 0],
            ],
            [-1, 0, 2, 0, 0, 1, -2],
        );
        let costs = cell_costs(&c).unwrap();
        assert_eq!(costs.trainable_parameters, 8_555_530);
        assert_eq!(costs.flops, 2_527_684_618);
        assert_eq!(
            costs.vertex_flops[0],
            [0, 92274688, 589824, 75497472, 92274688, 25296896, 0]
        );
        assert_eq!(
            costs.vertex_flops[3],
            [0, 83886080, 294912, 75497472, 83886080, 16842752, 0]
        );
        assert_eq!(
            costs.vertex_flops[8],
            [0, 92274688, 147456, 75497472, 92274688, 25198592, 0]
        );
        assert_eq!(
            costs.vertex_params[0],
            [0, 45312, 0, 36992, 45312, 12544, 0]
        );
        assert_eq!(
            costs.vertex_params[6],
            [0, 656384, 0, 590336, 656384, 132096, 0]
        );
        assert_eq!(
            costs.vertex_params[7],
            [0, 721920, 0, 590336, 721920, 197632, 0]
        );
    }

    #[test]
    fn cells_outside_the_space_are_errors() {
        let chain =
            |labels: [i8; 3]| Cell::from_matrix(3, &[0, 1, 0, 0, 0, 1, 0, 0, 0], &labels).unwrap();
        assert!(cell_costs(&chain([-1, 0, -2])).is_ok());
        assert!(cell_costs(&chain([-1, 3, -2])).is_err());
        assert!(cell_costs(&chain([-1, -1, -2])).is_err());
        assert!(cell_costs(&Cell::default()).is_err());
        let one = Cell::from_matrix(1, &[0], &[-1]).unwrap();
        assert!(cell_costs(&one).is_err());
        let eight = Cell::from_matrix(8, &[0; 64], &[0; 8]).unwrap();
        assert!(cell_costs(&eight).is_err());
    }

    #[test]
    fn batches_cost_valid_rows_only() {
        let chain = [0, 1, 0, 0, 0, 1, 0, 0, 0];
        let disconnected = [0u8; 9];
        let matrices = [chain, disconnected].concat();
        let codes = [-1, 0, -2, -1, 0, -2];
        let rows = check_and_cost(3, &matrices, &codes).unwrap();
        assert_eq!(rows[0].0, Status::Valid);
        let single = Cell::from_matrix(3, &chain, &[-1, 0, -2]).unwrap();
        assert_eq!(rows[0].1, Some(cell_costs(&single).unwrap()));
        assert_eq!(rows[1], (Status::Disconnected, None));
        assert!(check_and_cost(8, &[0; 64], &[-3; 8]).is_err());
        assert!(check_and_cost(3, &matrices[..10], &codes).is_err());
    }
}
