//! Mentors' availability: stored whole and read back equal.

use lyceum_domain::mentoring::availability::{
    Availability, AvailabilityException, ExceptionKind, WeeklyWindow,
};
use lyceum_infra_seaorm::AvailabilityStore;
use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_ports::RepoError;
use lyceum_ports::mentoring::AvailabilityRepository;
use time::Weekday;
use time::macros::{date, time};
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::users;

#[tokio::test]
async fn availability_round_trips_and_is_replaced_whole() {
    on_each_backend(|t| async move {
        let mentor = users(&t.database, 1, 1).await[0];
        let store = AvailabilityStore::new(&t.database);
        assert_eq!(store.of_mentor(mentor).await.unwrap(), None);
        let week = Availability::new(
            "Asia/Kolkata",
            vec![
                WeeklyWindow {
                    weekday: Weekday::Monday,
                    start: time!(09:00),
                    end: time!(12:00),
                },
                WeeklyWindow {
                    weekday: Weekday::Thursday,
                    start: time!(14:30),
                    end: time!(18:00),
                },
            ],
            vec![
                AvailabilityException {
                    date: date!(2026 - 12 - 25),
                    kind: ExceptionKind::Blocked,
                },
                AvailabilityException {
                    date: date!(2026 - 12 - 26),
                    kind: ExceptionKind::ExtraWindow {
                        start: time!(10:00),
                        end: time!(11:00),
                    },
                },
            ],
        )
        .unwrap();
        store.put(mentor, week.clone(), NOW).await.unwrap();
        assert_eq!(store.of_mentor(mentor).await.unwrap(), Some(week));

        let replaced = Availability::new("Europe/Berlin", Vec::new(), Vec::new()).unwrap();
        store.put(mentor, replaced.clone(), NOW).await.unwrap();
        assert_eq!(
            store.of_mentor(mentor).await.unwrap(),
            Some(replaced.clone())
        );
        assert_eq!(
            store.put(Uuid::now_v7(), replaced, NOW).await,
            Err(RepoError::NotFound)
        );
    })
    .await;
}
