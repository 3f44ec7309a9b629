//! The committed SDL (`schema.graphql`) is the schema: any change to the code's schema shows up
//! as a change to that file, so it is reviewed (and a removal waits for a `@deprecated` release).

#[test]
fn the_committed_schema_is_the_code_s_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = policy_kb::graphql::sdl();
    if committed != current {
        let first_difference = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(current.lines().count()) + 1,
                |n| n + 1,
            );
        panic!(
            "schema.graphql differs from the code's schema (first at line {first_difference}).\n\
             If the change is intended, regenerate it and commit it with the change:\n\n    \
             cargo run --bin policy-kb -- schema > schema.graphql\n\n\
             A field or type is removed only after a release that marks it `@deprecated` \
             (README, \"A stable schema\")."
        );
    }
}
