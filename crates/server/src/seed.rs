//! Demo data for trying the API in Swagger UI: a few mentors and learners with profiles
//! and specializations. Safe to run twice: existing accounts are left alone.

use lyceum_app::identity::IdentityError;
use lyceum_app::identity::{Actor, ProfilePatch, RegistrationInput};
use lyceum_app::mentoring::{AvailabilityInput, SessionInput};
use lyceum_app::{AppError, Lyceum};
use lyceum_domain::mentoring::availability::WeeklyWindow;

/// The password of every demo account (printed by `seed-demo`).
pub const DEMO_PASSWORD: &str = "Lyceum2026";

struct DemoPerson {
    username: &'static str,
    first: &'static str,
    last: &'static str,
    role: &'static str,
    bio: &'static str,
    keywords: &'static [&'static str],
    specializations: &'static [&'static str],
    timezone: &'static str,
}

const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        username: "priya_mentor",
        first: "Priya",
        last: "Raman",
        role: "mentor",
        bio: "Backend engineer; ten years of Rust and PostgreSQL.",
        keywords: &["Rust", "PostgreSQL", "System design"],
        specializations: &["Back-end development", "Databases"],
        timezone: "Asia/Kolkata",
    },
    DemoPerson {
        username: "diego_mentor",
        first: "Diego",
        last: "Alvarez",
        role: "mentor",
        bio: "ML engineer who loves teaching statistics.",
        keywords: &["Python", "PyTorch", "Statistics"],
        specializations: &["Machine learning", "Data science"],
        timezone: "America/New_York",
    },
    DemoPerson {
        username: "mei_mentor1",
        first: "Mei",
        last: "Tanaka",
        role: "mentor",
        bio: "Cloud architect and DevOps coach.",
        keywords: &["Kubernetes", "AWS", "Terraform"],
        specializations: &["Cloud computing", "DevOps"],
        timezone: "Asia/Tokyo",
    },
    DemoPerson {
        username: "arjun_learns",
        first: "Arjun",
        last: "Mehta",
        role: "learner",
        bio: "Junior developer moving into backend work.",
        keywords: &["Rust", "APIs"],
        specializations: &[],
        timezone: "Asia/Kolkata",
    },
    DemoPerson {
        username: "sofia_learns",
        first: "Sofia",
        last: "Rossi",
        role: "learner",
        bio: "Data analyst learning machine learning.",
        keywords: &["Machine learning"],
        specializations: &[],
        timezone: "Europe/Rome",
    },
    DemoPerson {
        username: "kwame_learns",
        first: "Kwame",
        last: "Mensah",
        role: "learner",
        bio: "Student preparing for cloud certifications.",
        keywords: &["Cloud"],
        specializations: &[],
        timezone: "Africa/Accra",
    },
];

/// Creates the demo accounts that do not exist yet; returns the usernames created.
pub async fn seed_demo(app: &Lyceum) -> Result<Vec<String>, AppError> {
    let catalogue = app.specializations().await?;
    let mut created = Vec::new();
    for person in PEOPLE {
        let registration = RegistrationInput {
            email: format!("{}@demo.lyceum.dev", person.username),
            username: person.username.into(),
            password: DEMO_PASSWORD.into(),
            first_name: person.first.into(),
            last_name: person.last.into(),
            role: person.role.into(),
            phone_number: None,
        };
        match app.register(registration).await {
            Ok(_) => created.push(person.username.to_owned()),
            // Already seeded: the demo person exists.
            Err(AppError::Identity(
                IdentityError::EmailTaken
                | IdentityError::UsernameTaken
                | IdentityError::PhoneTaken,
            )) => continue,
            Err(other) => return Err(other),
        }
        let pair = app
            .login(person.username, DEMO_PASSWORD, Default::default())
            .await?;
        let actor: Actor = app.authenticate(&pair.access_token).await?;
        let words: Vec<String> = person.keywords.iter().map(|k| (*k).to_owned()).collect();
        let mut patch = ProfilePatch {
            bio: Some(Some(person.bio.into())),
            timezone: Some(Some(person.timezone.into())),
            ..Default::default()
        };
        if person.role == "mentor" {
            patch.expertise = Some(words);
            patch.years_experience = Some(Some(8));
            patch.hourly_rate = Some(Some((150_000, "INR".into())));
        } else {
            patch.interests = Some(words);
            patch.experience_level = Some(Some("beginner".into()));
        }
        app.update_my_account(&actor, patch).await?;
        if person.role == "mentor" {
            seed_mentoring(app, &actor, person).await?;
        }
        for name in person.specializations {
            if let Some(s) = catalogue.iter().find(|s| s.name.as_str() == *name) {
                app.add_my_specialization(&actor, s.id).await?;
            }
        }
        app.logout(&actor).await?;
    }
    Ok(created)
}

/// Two sessions (a free group one and a paid 1:1) and weekday availability for a demo
/// mentor, so discovery, booking and free slots can be tried at once.
async fn seed_mentoring(app: &Lyceum, actor: &Actor, person: &DemoPerson) -> Result<(), AppError> {
    let day = time::OffsetDateTime::now_utc()
        .replace_time(time::Time::from_hms(15, 0, 0).unwrap_or(time::Time::MIDNIGHT));
    let topic = person.keywords.first().copied().unwrap_or("Mentoring");
    let sessions = [
        (format!("{topic} in practice: group Q&A"), 0, 8, 2),
        (format!("{topic}: one-to-one review"), 99_900, 1, 3),
    ];
    for (title, price, capacity, days) in sessions {
        app.create_session(
            actor,
            SessionInput {
                title,
                description: person.bio.into(),
                duration_minutes: 60,
                price_amount_minor: price,
                price_currency: "INR".into(),
                capacity,
                starts_at: day + time::Duration::days(days),
                meeting_url: None,
                specialization_id: None,
            },
        )
        .await?;
    }
    let nine = time::Time::from_hms(9, 0, 0).unwrap_or(time::Time::MIDNIGHT);
    let noon = time::Time::from_hms(12, 0, 0).unwrap_or(time::Time::MIDNIGHT);
    let windows = [
        time::Weekday::Monday,
        time::Weekday::Wednesday,
        time::Weekday::Friday,
    ]
    .into_iter()
    .filter_map(|weekday| WeeklyWindow::new(weekday, nine, noon).ok())
    .collect();
    app.set_my_availability(
        actor,
        AvailabilityInput {
            timezone: person.timezone.into(),
            windows,
            exceptions: Vec::new(),
        },
    )
    .await?;
    Ok(())
}
