"""A realistic day at South Jakarta's complaint desk, written for the demo (no real people).

Each story is one message: when it arrived (WIB), the channel, who sent it
(a made-up person, so that resends, follow-ups and cross-channel reports link
up), and the text as a citizen would write it. Some are meant to collapse:
resends, a follow-up, the same flood reported by four neighbours, an SMS
then a tweet from the same person, an out-of-office reply, a bot command.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    email: str
    handle: str
    user_id: int


PEOPLE = {
    "ani": Person("Ani Rahmawati", "+6281200010001", "ani.r@example.org", "ani_rahma", 710000001),
    "budi": Person(
        "Budi Hartono", "+6281200010002", "budi.h@example.org", "budihartono", 710000002
    ),
    "citra": Person(
        "Citra Lestari", "+6281200010003", "citra.l@example.com", "citralestari", 710000003
    ),
    "dedi": Person("Dedi Kurniawan", "+6281200010004", "dedi.k@example.com", "dedi_kur", 710000004),
    "eka": Person("Eka Putri", "+6281200010005", "eka.putri@example.org", "ekaputri", 710000005),
    "fajar": Person(
        "Fajar Nugroho", "+6281200010006", "fajar.n@example.org", "fajarnug", 710000006
    ),
    "gita": Person("Gita Maharani", "+6281200010007", "gita.m@example.com", "gitamaha", 710000007),
    "hadi": Person("Hadi Susanto", "+6281200010008", "hadi.s@example.com", "hadisus", 710000008),
    "indah": Person(
        "Indah Permata", "+6281200010009", "indah.p@example.org", "indahperm", 710000009
    ),
    "joko": Person("Joko Prasetyo", "+6281200010010", "joko.p@example.org", "jokopras", 710000010),
    "kiki": Person("Kiki Amelia", "+6281200010011", "kiki.a@example.com", "kikiamel", 710000011),
    "lina": Person("Lina Marlina", "+6281200010012", "lina.m@example.com", "linamar", 710000012),
    "maman": Person(
        "Maman Suherman", "+6281200010013", "maman.s@example.org", "mamansuh", 710000013
    ),
    "nur": Person("Nur Aisyah", "+6281200010014", "nur.a@example.org", "nuraisyah", 710000014),
    "oki": Person("Oki Setiawan", "+6281200010015", "oki.s@example.com", "okisetia", 710000015),
    "putri": Person("Putri Ayu", "+6281200010016", "putri.ayu@example.com", "putriayu", 710000016),
    "rudi": Person("Rudi Hermawan", "+6281200010017", "rudi.h@example.org", "rudiherm", 710000017),
    "sari": Person(
        "Sari Wulandari", "+6281200010018", "sari.w@example.org", "sariwulan", 710000018
    ),
    "tono": Person("Tono Sugiarto", "+6281200010019", "tono.s@example.com", "tonosugi", 710000019),
    "umi": Person("Umi Kalsum", "+6281200010020", "umi.k@example.com", "umikalsum", 710000020),
}


@dataclass(frozen=True)
class Story:
    at: str  # HH:MM, WIB
    channel: str  # sms, telegram, twitter, email, walkin, facebook, open311
    who: str
    text: str
    subject: str | None = None


STORIES: tuple[Story, ...] = (
    Story(
        "06:12",
        "sms",
        "ani",
        "Lampu PJU di Jl. Ampera Raya dpn SDN 03 mati sdh 3 hari, gelap bgt kalo malam. Mohon diperbaiki.",
    ),
    Story(
        "06:40",
        "sms",
        "ani",
        "Lampu PJU di Jl. Ampera Raya dpn SDN 03 mati sdh 3 hari, gelap bgt kalo malam. Mohon diperbaiki.",
    ),
    Story(
        "06:55",
        "telegram",
        "budi",
        "Min, got di Jl. Kemang Utara IX mampet, air meluap ke jalan tiap hujan. Tlg dikeruk.",
    ),
    Story(
        "07:05",
        "twitter",
        "citra",
        "@aduan_jaksel pohon angsana di Jl. Wijaya I miring banget, takut tumbang kena kabel. Mohon perantingan 🙏",
    ),
    Story(
        "07:20",
        "sms",
        "dedi",
        "Sampah di TPS Pasar Mampang blm diangkut 2 hari, bau dan banyak lalat.",
    ),
    Story(
        "07:31",
        "email",
        "eka",
        "Yth. Bapak/Ibu,\n\nKami warga RT 05 RW 02 Kel. Pela Mampang ingin melaporkan bahwa jalan di Gang Mawar berlubang cukup dalam di depan masjid. Sudah ada dua pengendara motor yang jatuh minggu ini.\n\nMohon segera ditambal.\n\nTerima kasih,\nEka Putri",
        "Jalan berlubang di Gang Mawar",
    ),
    Story(
        "07:45",
        "walkin",
        "fajar",
        "Pelapor menyampaikan KTP elektronik belum jadi sejak perekaman 4 bulan lalu di Kelurahan Cipete Selatan, sudah tiga kali ditanyakan ke kelurahan.",
    ),
    Story(
        "08:02",
        "sms",
        "gita",
        "Banjir masuk rumah warga di Jl. Pangeran Antasari gg. Haji Saaba, air sepinggang. Tolong segera!",
    ),
    Story(
        "08:05",
        "twitter",
        "hadi",
        "@aduan_jaksel banjir udh masuk rumah di Jl Pangeran Antasari gang Haji Saaba, air sepinggang org dewasa, mohon bantuan pompa!!",
    ),
    Story(
        "08:09",
        "telegram",
        "indah",
        "Air masuk ke rumah2 di gg Haji Saaba Pangeran Antasari, sdh sepinggang. Ada lansia yg perlu dievakuasi.",
    ),
    Story(
        "08:15",
        "facebook",
        "joko",
        "Banjir lagi di Gang Haji Saaba, Jl. Pangeran Antasari. Air masuk rumah sampai sepinggang. Mohon Sudin SDA kirim pompa.",
    ),
    Story(
        "08:20",
        "sms",
        "kiki",
        "Parkir liar di trotoar Jl. Kemang Raya dpn kafe, pejalan kaki terpaksa jalan di aspal. Jukirnya galak.",
    ),
    Story(
        "08:34",
        "email",
        "lina",
        "Dengan hormat,\n\nAir PAM di rumah kami di Jl. Tebet Barat Dalam VI tidak mengalir sejak kemarin sore. Tetangga juga mengalami hal yang sama.\n\nMohon informasi dan tindak lanjutnya.\n\nHormat saya,\nLina Marlina",
        "Air PAM tidak mengalir",
    ),
    Story("08:47", "telegram", "maman", "/start"),
    Story(
        "08:48",
        "telegram",
        "maman",
        "Pedagang kaki lima memenuhi trotoar di depan Stasiun Tebet sampai ke badan jalan, macet parah tiap pagi.",
    ),
    Story(
        "09:03",
        "twitter",
        "nur",
        "@aduan_jaksel puskesmas kecamatan Pancoran antreannya sampe siang, aplikasi daftar online error terus 😩",
    ),
    Story(
        "09:10",
        "sms",
        "oki",
        "Anak sy ditolak daftar SMP negeri krn KJP blm cair, pdhl sdh terdaftar. Mohon dibantu.",
    ),
    Story(
        "09:18",
        "walkin",
        "putri",
        "Pelapor lansia penerima bansos PKH menyampaikan bantuan bulan ini belum diterima, namanya tidak ada di daftar penerima di Kelurahan Bangka.",
    ),
    Story(
        "09:25",
        "open311",
        "rudi",
        "Kabel listrik putus menjuntai di Jl. Duren Tiga Raya dekat halte, sangat berbahaya bagi pejalan kaki.",
    ),
    Story(
        "09:31",
        "sms",
        "sari",
        "Ada bangunan 4 lantai di Jl. Mampang Prapatan XV, izinnya cuma 2 lantai. Mohon dicek Citata.",
    ),
    Story(
        "09:44",
        "email",
        "tono",
        "Selamat pagi,\n\nSaya ingin menanyakan kelanjutan laporan saya minggu lalu mengenai lampu taman di Taman Langsat yang mati. Sampai sekarang belum ada perbaikan.\n\nSalam,\nTono",
        "Lampu Taman Langsat",
    ),
    Story(
        "09:52",
        "sms",
        "umi",
        "Ada kebakaran di pemukiman padat Jl. Bangka II, asap tebal! Tolong kirim damkar!!",
    ),
    Story(
        "09:53",
        "twitter",
        "ani",
        "@aduan_jaksel lampu PJU Jl. Ampera Raya depan SDN 03 masih mati, sdh sy SMS tadi pagi dari 081200010001.",
    ),
    Story(
        "10:05",
        "facebook",
        "budi",
        "Trotoar di Jl. Gatot Subroto ruas Kuningan rusak, banyak paving copot. Bahaya buat pejalan kaki malam hari.",
    ),
    Story(
        "10:12",
        "walkin",
        "citra",
        "Pelapor menyampaikan pohon di depan rumahnya di Jl. Wijaya I miring ke arah kabel listrik dan meminta perantingan.",
    ),
    Story(
        "10:26", "telegram", "dedi", "gimana kelanjutannya min soal sampah di TPS Pasar Mampang?"
    ),
    Story(
        "10:40",
        "email",
        "eka",
        "Terima kasih atas pesan Anda. Saya sedang cuti sampai 3 Desember dan akan membalas setelah kembali.\n\n(Balasan otomatis)",
        "Balasan otomatis: Jalan berlubang di Gang Mawar",
    ),
    Story(
        "10:58",
        "sms",
        "fajar",
        "Jalan di Jl. Warung Jati Barat bolong2, aspal mengelupas sepanjang 50 m.",
    ),
    Story(
        "11:15",
        "twitter",
        "gita",
        "@aduan_jaksel lampu merah perempatan Mampang mati dari pagi, lalu lintas semrawut.",
    ),
    Story(
        "11:30",
        "open311",
        "hadi",
        "Saluran air di Jl. Buncit Raya tertutup sampah dan lumpur, genangan setinggi mata kaki setiap hujan.",
    ),
    Story(
        "11:47",
        "sms",
        "indah",
        "Ada anjing liar berkeliaran di taman RPTRA Kalijati, anak2 takut main.",
    ),
    Story(
        "12:05",
        "facebook",
        "joko",
        "Mohon info, apakah pembuatan akta kelahiran bisa online? Di kelurahan disuruh datang berkali-kali.",
    ),
    Story(
        "12:20",
        "telegram",
        "kiki",
        "Tumpukan puing bangunan dibuang sembarangan di pinggir kali Krukut dekat Jl. Bangka, bikin banjir.",
    ),
    Story(
        "12:41",
        "sms",
        "lina",
        "Air PAM di Tebet Barat Dalam VI masih mati sampai siang ini, kami sdh beli air galon.",
    ),
    Story(
        "13:05",
        "walkin",
        "maman",
        "Pelapor menyampaikan adanya pungutan liar oleh oknum juru parkir di Pasar Santa yang meminta Rp10.000 per motor.",
    ),
    Story(
        "13:22",
        "twitter",
        "nur",
        "Gorong-gorong terbuka tanpa penutup di Jl. Tendean depan halte, bahaya bgt buat motor malam2 @aduan_jaksel",
    ),
    Story(
        "13:40",
        "email",
        "oki",
        "Yth. Dinas Pendidikan,\n\nAtap ruang kelas 4 di SDN Kalibata 05 bocor parah dan plafonnya sebagian sudah jebol. Anak-anak terpaksa belajar di lorong.\n\nMohon segera diperbaiki.\n\nOki Setiawan\nKomite Sekolah",
        "Atap sekolah bocor",
    ),
    Story(
        "14:02",
        "sms",
        "putri",
        "Pohon tumbang menutup Jl. Cipete Raya dkt pasar, mobil tdk bisa lewat.",
    ),
    Story(
        "14:06",
        "telegram",
        "rudi",
        "Pohon besar tumbang di Jl. Cipete Raya dekat Pasar Cipete, jalan tertutup total.",
    ),
    Story(
        "14:30",
        "facebook",
        "sari",
        "Warga mengeluhkan bau menyengat dari pabrik tahu di belakang Jl. Kalibata Timur, limbahnya dibuang ke kali.",
    ),
    Story(
        "14:55",
        "open311",
        "tono",
        "Halte TransJakarta Pancoran kotor, tempat sampahnya penuh dan tidak diangkut.",
    ),
    Story(
        "15:10",
        "sms",
        "umi",
        "Api sdh padam, tp bbrp rumah di Jl. Bangka II rusak berat. Warga butuh bantuan tenda dan makanan.",
    ),
    Story(
        "15:33",
        "walkin",
        "ani",
        "Pelapor menanyakan prosedur pengurusan kartu keluarga baru setelah menikah dan pindah ke Kelurahan Pejaten Barat.",
    ),
    Story(
        "15:50",
        "twitter",
        "budi",
        "Keren nih petugas Sudin SDA cepet banget nyedot genangan di Kemang tadi siang 👍 @aduan_jaksel",
    ),
    Story(
        "16:20",
        "email",
        "citra",
        "Kepada Yth. Pengelola,\n\nDi taman kota Jl. Barito banyak bangku rusak dan lampu taman mati sehingga rawan di malam hari.\n\nTerima kasih.\nCitra",
        "Taman Barito",
    ),
    Story(
        "17:05",
        "sms",
        "dedi",
        "Angkot ngetem sembarangan di mulut Jl. Warung Buncit, bikin macet sampai Mampang.",
    ),
    Story(
        "18:30",
        "telegram",
        "eka",
        "Lampu jalan di Gang Mawar RT 05 mati semua, gelap dan rawan jambret.",
    ),
    Story(
        "19:45",
        "sms",
        "fajar",
        "Suara musik keras dr kafe di Jl. Kemang Raya sampai jam 2 pagi tiap malam, mengganggu warga.",
    ),
    Story(
        "21:10",
        "twitter",
        "gita",
        "@aduan_jaksel air banjir di Pangeran Antasari udh surut, tp lumpur tebel di rumah2 warga, butuh bantuan pembersihan",
    ),
    Story(
        "23:40",
        "sms",
        "hadi",
        "Genangan di underpass Jl. Antasari blm surut, mobil mogok di dalam.",
    ),
)
