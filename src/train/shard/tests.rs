use ndarray::{array, Array1, Array2};

use super::*;
use crate::data::rng::Mt19937;
use crate::threads::Threads;
use crate::train::blocks::{self, shards, BLOCK};

fn random_bytes(m: usize, features: usize) -> FastObjective {
    let mut rng = Mt19937::new(3);
    let levels = (0..m * features).map(|_| rng.below(256) as u8).collect();
    let labels: Vec<u8> = (0..m).map(|_| rng.below(2) as u8).collect();
    FastObjective::from_levels(levels, &labels, features, 1.0 / 255.0, 0.0).unwrap()
}

fn random_rows(m: usize, features: usize) -> (Array2<f64>, Array1<f64>) {
    let mut rng = Mt19937::new(8);
    let x = Array2::from_shape_fn((m, features), |_| (rng.next_f64() - 0.5) * 10f64.powi(rng.below(6) as i32 - 3));
    (x, (0..m).map(|_| rng.below(2) as f64).collect())
}

fn random_floats(m: usize, features: usize) -> F64Objective {
    let (x, y) = random_rows(m, features);
    F64Objective::new(x, y).unwrap()
}

fn model(features: usize) -> Model {
    Model { w: (0..features).map(|j| 0.01 * (j % 7) as f64 - 0.03).collect(), b: 0.1 }
}

/// The lead's shard 0 computed here, every other shard sent as bytes to a [`Shard`], and every
/// block's partial added in order: the same gradients, to the bit, as all blocks in one place.
fn sharded(objective: &dyn Objective, model: &Model, count: usize) -> (crate::model::Gradients, f64) {
    let ranges = shards(objective.examples(), count);
    let own = ranges[0].start / BLOCK..ranges[0].end.div_ceil(BLOCK);
    let mut partials = objective.partials(model, own).unwrap();
    for rows in &ranges[1..] {
        let shard =
            Shard::new(ShardRows::from_bytes(&objective.shard(rows.clone()).unwrap().to_bytes()).unwrap()).unwrap();
        let wire = shard.partials(&model_to_wire(model)).unwrap();
        let from_wire = if objective.exact_sums() { exact_from_wire } else { partials_from_wire };
        partials.extend(from_wire(&wire, objective.features()).unwrap());
    }
    objective.propagate_from(model, &partials).unwrap()
}

#[test]
fn shards_sent_as_bytes_give_the_whole_sets_gradients_to_the_bit() {
    let (m, features) = (1000, 40);
    let bytes = random_bytes(m, features);
    let floats = random_floats(m, features);
    for objective in [&bytes as &dyn Objective, &floats] {
        let whole = objective.propagate(&model(features)).unwrap();
        for count in 1..=5 {
            assert_eq!(sharded(objective, &model(features), count), whole, "{count} shards");
        }
    }
}

#[test]
fn the_penalty_is_added_by_the_lead_to_the_helpers_sums() {
    let objective = |lambda| {
        let (x, y) = random_rows(600, 9);
        crate::train::penalty::objective(x, y, lambda, Threads::ONE).unwrap()
    };
    let (plain, penalised) = (objective(0.0), objective(3.0));
    let m = model(9);
    assert_eq!(sharded(penalised.as_ref(), &m, 3), penalised.propagate(&m).unwrap());
    assert_ne!(sharded(penalised.as_ref(), &m, 3), plain.propagate(&m).unwrap());
}

#[test]
fn rows_round_trip_through_bytes() {
    let rows =
        ShardRows::Bytes { levels: vec![1, 2, 3, 4, 5, 6], labels: vec![0, 1], features: 3, scale: 0.5, offset: -1.0 };
    assert_eq!(ShardRows::from_bytes(&rows.to_bytes()).unwrap(), rows);
    let floats = ShardRows::Floats { x: array![[0.5, -2.0], [1e300, 3.25]], y: array![1.0, 0.0] };
    assert_eq!(ShardRows::from_bytes(&floats.to_bytes()).unwrap(), floats);
}

#[test]
fn damaged_messages_are_errors_not_panics() {
    let good =
        ShardRows::Bytes { levels: vec![7; 6], labels: vec![0, 1], features: 3, scale: 0.5, offset: 0.0 }.to_bytes();
    for cut in 0..good.len() {
        assert!(ShardRows::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut label = good.clone();
    label[HEADER] = 2;
    assert!(matches!(ShardRows::from_bytes(&label), Err(Error::Shard(_))));
    let mut kind = good.clone();
    kind[8] = 9;
    assert!(matches!(ShardRows::from_bytes(&kind), Err(Error::Shard(_))));
    let mut huge = good;
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(ShardRows::from_bytes(&huge).is_err());
    let shard =
        Shard::new(ShardRows::Bytes { levels: vec![1; 3], labels: vec![1], features: 3, scale: 1.0, offset: 0.0 })
            .unwrap();
    assert!(matches!(shard.partials(&[0.0; 3]), Err(Error::MismatchedShapes { expected: 4, actual: 3, .. })));
    assert!(matches!(partials_from_wire(&[0.0; 7], 3), Err(Error::Shard(_))));
    assert_eq!(blocks::block_count(shard.len()), 1);
}

#[test]
fn the_kernels_helpers_send_one_set_of_sums_a_shard_and_every_blocks_cost() {
    let (m, features) = (1100, 40);
    let bytes = random_bytes(m, features);
    assert!(bytes.exact_sums() && !random_floats(8, 3).exact_sums());
    let shard = Shard::new(bytes.shard(0..m).unwrap()).unwrap();
    let wire = shard.partials(&model_to_wire(&model(features))).unwrap();
    let blocks = blocks::block_count(m);
    assert_eq!(wire.len(), 1 + blocks + 1 + features, "count, costs, db, dw");
    let partials = bytes.partials(&model(features), 0..blocks).unwrap();
    let back = exact_from_wire(&wire, features).unwrap();
    assert_eq!(back.iter().map(|p| p.cost).collect::<Vec<_>>(), partials.iter().map(|p| p.cost).collect::<Vec<_>>());
    let (sum, total) = (blocks::combine(features, &back).unwrap(), blocks::combine(features, &partials).unwrap());
    assert_eq!((sum.dw, sum.db, sum.cost), (total.dw, total.db, total.cost));
    // Two shards' wires one after another read as both shards' blocks.
    let twice = [wire.clone(), wire.clone()].concat();
    assert_eq!(exact_from_wire(&twice, features).unwrap().len(), 2 * blocks);
    for cut in 1..wire.len() {
        assert!(exact_from_wire(&wire[..cut], features).is_err(), "cut at {cut}");
    }
    for count in [0.0, 1.5, -1.0, f64::NAN, f64::INFINITY, 1e300] {
        let mut bad = wire.clone();
        bad[0] = count;
        assert!(matches!(exact_from_wire(&bad, features), Err(Error::Shard(_))), "count {count}");
    }
}

#[test]
fn a_shards_message_written_straight_from_the_rows_is_the_rows_message() {
    let (m, features) = (700, 40);
    let bytes = random_bytes(m, features);
    for rows in [0..256, 256..700] {
        let message = bytes.shard_message(rows.clone()).unwrap();
        assert_eq!(message, bytes.shard(rows).unwrap().to_bytes());
        assert_eq!(message.capacity(), message.len(), "room for exactly the message");
    }
    let floats = random_floats(300, 5);
    assert_eq!(floats.shard_message(0..300).unwrap(), floats.shard(0..300).unwrap().to_bytes());
    assert!(bytes.shard_message(0..701).is_err());
}
