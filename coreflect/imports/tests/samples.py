"""A small, valid set of import files, and helpers to write and vary them."""

from pathlib import Path

GOOD = {
    "people.csv": """person_id,name,email,role,service,locality,line_manager_id
P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker,Adult,Durham,M01
P02,Sam Shaw,sam@example.nhs.uk,senior_peer_worker,Adult,Durham,M01
M01,Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,
G01,Gina Gov,,governance,,,
""",
    "employment.csv": """person_id,start_date,end_date
P01,2025-05-15,
P02,2020-01-01,2024-12-31
P02,2025-02-01,
""",
    "supervision.csv": """supervisee_id,supervisor_id,type,start_date,end_date
P01,P02,peer_work,2025-05-15,
P01,M01,line_management,2025-05-15,
""",
    "absences.csv": """person_id,type,start_date,end_date
P01,sickness,2025-08-01,2025-09-15
""",
    "sessions.csv": """session_id,kind,date,start_time,duration_minutes,lead_id,modality,location
S1,one_to_one,2025-06-02,10:00,60,P02,in_person,Room 1
S2,co_reflection,2025-06-25,13:00,180,P02,video,
""",
    "attendance.csv": """session_id,person_id,status
S1,P01,attended
S2,P01,apologies
""",
}


# GOOD as the upload page takes it: Gina is given no privileged role (governance), which only
# the command line may give.
UPLOADABLE = {
    **GOOD,
    "people.csv": GOOD["people.csv"].replace(
        "G01,Gina Gov,,governance", "G01,Gina Gov,,line_manager"
    ),
}


def varied(base: dict[str, str] = GOOD, **changes: tuple[str, str]) -> dict[str, str]:
    """GOOD (or `base`) with one text replaced in some files: varied(people=("old", "new"))."""
    files = dict(base)
    for stem, (old, new) in changes.items():
        name = f"{stem}.csv"
        assert old in files[name], f"{old!r} is not in {name}"
        files[name] = files[name].replace(old, new, 1)
    return files


def write(folder: Path, files: dict[str, str], *, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding=encoding, newline="")
    return folder
