//! `seed-orders DATA_DIR COUNT`: fills the store in `DATA_DIR` with `COUNT` synthetic sandbox
//! orders (references `SEED-…`) through the real schema, for the app's million-order benchmark.
//! Orders already there count: running it twice with the same COUNT adds nothing.

use std::process::ExitCode;
use std::time::Instant;

use mizan_core::store::{Store, seed};
use mizan_core::{Environment, Error};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(count)) = (
        args.first(),
        args.get(1).and_then(|c| c.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: seed-orders DATA_DIR COUNT");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("seed-orders: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        std::fs::create_dir_all(dir).map_err(|e| Error::DataDir {
            path: dir.clone(),
            reason: e.to_string(),
        })?;
        let store = Store::open(&std::path::Path::new(dir).join("mizan.db")).await?;
        let have = seed::count_seeded(&store, Environment::Sandbox).await?;
        let started = Instant::now();
        let added = if have < count {
            seed::seed_orders(&store, Environment::Sandbox, have, count).await?
        } else {
            0
        };
        store.close().await;
        Ok::<_, Error>((added, started.elapsed()))
    });
    match result {
        Ok((added, took)) => {
            println!(
                "seed-orders: added {added} orders in {:.1} s ({count} seeded in all)",
                took.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-orders: {e}");
            ExitCode::FAILURE
        }
    }
}
