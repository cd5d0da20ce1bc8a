"""The texts `twcs_corpus` writes: our own templates of customer questions and company answers
in English and German, the values of their {slots}, emoji and agent signatures. Written for
the benchmark (no text of the data set)."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Our own templates. {slots} are filled from SLOT_VALUES.
# ---------------------------------------------------------------------------------------------

OPENERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "any"): (
        "is anyone there? Waited {n} minutes on the phone and then the line went dead.",
        "I was charged twice this month and nobody can tell me why.",
        'your website says "temporarily unavailable" since this morning. Any news on that?',
        "just wanted to say thanks, the team sorted everything out in one single call 👍",
        "how do I change the email address on my account? I can't find the setting anywhere.",
        "third time asking: who do I talk to about a refund for my last payment?",
        "your support chat closed on me in the middle of a sentence. Great job.",
        "hi, I have a quick question about my account and the hotline is always busy",
    ),
    ("en", "shop"): (
        'order {order} still says "processing" after {n} days. What is going on over there?',
        "the parcel arrived today but the box was completely empty 🙄 what now?",
        "ordered a {product} and received a phone case instead. Twice in a row.",
        "can I return something I bought in one of your stores through the website?",
        "my delivery slot was 8\u201310, it's now 2pm and there is still nothing here",
    ),
    ("en", "tech"): (
        "the app crashes every time I open {product}, and yes the latest update is installed",
        "I can't log in because the password reset mail never arrives in my inbox",
        "love the new {product} update, it is so much faster than before! 😊",
        "all my saved items vanished after last night's update 😭 are they gone for good?",
        "error {code} every time I try to pay and I already tried two different cards",
    ),
    ("en", "travel"): (
        "my trip to {place} is delayed by {n} minutes. Will I still make my connection?",
        "booking {order} disappeared from the app and I travel tomorrow morning!",
        "you cancelled on me and then charged me a cancellation fee. How is that fair?",
        "the crew on today's trip to {place} was brilliant, thank you all so much!",
        "where do I claim compensation for yesterday's delay? The form keeps failing.",
    ),
    ("en", "utility"): (
        "no internet in {place} since {day}. Is there an outage in my area?",
        "my bill went up by {money} without any notice, why is that?",
        "the engineer was booked for {day} between 8 and 12 and nobody ever came",
        "signal drops every few minutes in {place} and it's driving me mad 😤",
        "I am moving house next month. How do I take my contract with me?",
    ),
    ("de", "any"): (
        "ist da jemand? {n} Minuten in der Warteschleife und dann einfach aufgelegt.",
        "diesen Monat wurde doppelt abgebucht und niemand kann mir sagen warum.",
        'auf eurer Seite steht seit heute früh "vorübergehend nicht verfügbar". Gibt es was Neues?',
        "wollte nur Danke sagen, alles wurde in einem einzigen Anruf geklärt 👍",
        "wie ändere ich die E-Mail-Adresse in meinem Konto? Ich finde die Einstellung nicht.",
        "zum dritten Mal: An wen wende ich mich wegen einer Erstattung meiner letzten Zahlung?",
        "der Support-Chat hat mich mitten im Satz rausgeworfen. Ganz toll.",
        "hallo, ich habe eine kurze Frage zu meinem Konto und die Hotline ist immer besetzt",
    ),
    ("de", "shop"): (
        "Bestellung {order} steht seit {n} Tagen auf „in Bearbeitung“. Was ist da los?",
        "das Paket kam heute an, aber der Karton war komplett leer 🙄 und jetzt?",
        "{product} bestellt und stattdessen eine Handyhülle bekommen. Zweimal hintereinander.",
        "kann ich etwas aus eurer Filiale auch über die Webseite zurückgeben?",
        "Lieferfenster war 8\u201310 Uhr, jetzt ist es 14 Uhr und hier ist immer noch nichts",
    ),
    ("de", "tech"): (
        "die App stürzt bei jedem Öffnen von {product} ab, und ja, das neueste Update ist drauf",
        "ich komme nicht ins Konto, weil die Mail zum Zurücksetzen nie ankommt",
        "das neue Update für {product} ist super und viel schneller als vorher! 😊",
        "nach dem Update heute Nacht sind alle gespeicherten Sachen weg 😭 für immer?",
        "Fehler {code} bei jeder Zahlung und ich habe schon zwei verschiedene Karten probiert",
    ),
    ("de", "travel"): (
        "meine Fahrt nach {place} hat {n} Minuten Verspätung. Schaffe ich den Anschluss noch?",
        "Buchung {order} ist aus der App verschwunden und ich fahre morgen früh!",
        "ihr habt storniert und mir trotzdem eine Gebühr berechnet. Wie fair ist das?",
        "das Team auf der Fahrt nach {place} heute war klasse, vielen Dank euch allen!",
        "wo beantrage ich die Entschädigung für die Verspätung gestern? Das Formular hängt.",
    ),
    ("de", "utility"): (
        "kein Internet in {place} seit {day}. Gibt es eine Störung in meiner Gegend?",
        "mein Abschlag ist ohne Ankündigung um {money} gestiegen, warum?",
        "der Techniker war für {day} zwischen 8 und 12 Uhr angekündigt und kam nie",
        "der Empfang bricht in {place} alle paar Minuten ab und das nervt gewaltig 😤",
        "ich ziehe nächsten Monat um. Wie nehme ich meinen Vertrag mit?",
    ),
}
SECOND_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "Really disappointed.",
        "Please help!",
        "Thanks in advance.",
        "This is the second time this month.",
        "Customer for {n} years by the way.",
        "Not impressed, to be honest.",
        "Screenshot attached.",
        "Any ETA?",
    ),
    "de": (
        "Echt enttäuschend.",
        "Bitte um Hilfe!",
        "Danke im Voraus.",
        "Schon das zweite Mal diesen Monat.",
        "Bin übrigens seit {n} Jahren Kunde.",
        "Ehrlich gesagt nicht gut.",
        "Screenshot anbei.",
        "Wie lange dauert das noch?",
    ),
}
CUSTOMER_FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "en": (
        "done, I just sent you a DM with all the details",
        "still waiting for an answer to my DM from yesterday",
        "tried that already, same error as before",
        "ok thanks, that worked!",
        "it's order {order} and it was paid in full",
        "that's not what I asked, but fine.",
        "any update? It's been {n} hours and I have heard nothing",
        "great, thanks for the quick help 🙏",
    ),
    "de": (
        "erledigt, die DM mit allen Details ist raus",
        "warte immer noch auf eine Antwort auf meine DM von gestern",
        "hab ich schon probiert, gleicher Fehler wie vorher",
        "ok danke, hat geklappt!",
        "es geht um Bestellung {order} und die ist komplett bezahlt",
        "das war nicht meine Frage, aber gut.",
        "gibt es was Neues? Sind jetzt {n} Stunden und ich höre nichts",
        "super, danke für die schnelle Hilfe 🙏",
    ),
}
FIRST_REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Sorry to hear that! Could you DM us your {ref}? We will look into it right away.",
        "Hi, thanks for getting in touch. We're on it, please send us a DM with your {ref}.",
        "That's not what we want for you. Which device and app version are you using?",
        "Thanks for the lovely feedback. We'll pass it on to the team!",
        "We're sorry for the trouble. You'll find the next steps here: https://t.co/{tok}",
        "Hi there, we can help with that. Have you tried signing out and back in?",
        "Apologies for the wait. Let's sort this out in DM: https://t.co/{tok}",
    ),
    "de": (
        "Das tut uns leid! Schick uns bitte per DM deine {ref}, dann schauen wir uns das an.",
        "Hallo und danke für deine Nachricht. Wir kümmern uns und brauchen per DM deine {ref}.",
        "Das sollte so nicht sein. Welches Gerät und welche App-Version nutzt du?",
        "Danke für das Lob. Wir geben es gern ans Team weiter!",
        "Entschuldige die Umstände. Die nächsten Schritte findest du hier: https://t.co/{tok}",
        "Hallo, da helfen wir gern. Hast du dich schon einmal ab- und wieder angemeldet?",
        "Sorry für die Wartezeit. Lass uns das per DM klären: https://t.co/{tok}",
    ),
}
LATER_REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks, we've got your DM and will reply there shortly.",
        "Glad it's working again! Anything else we can do for you?",
        "Sorry that this is taking so long. Our {team} team will be in touch within {n} hours.",
        "Thanks for your patience. We have replied to your DM.",
        "Understood. Could you tell us when this started and whether it happens on Wi-Fi too?",
    ),
    "de": (
        "Danke, deine DM ist angekommen und wir antworten dir dort.",
        "Schön, dass es wieder klappt! Können wir sonst noch helfen?",
        "Sorry, dass es so lange dauert. Unser {team}-Team meldet sich in {n} Stunden bei dir.",
        "Danke für deine Geduld. Wir haben dir per DM geantwortet.",
        "Verstanden. Seit wann passiert das und auch im WLAN?",
    ),
}
COMPANY_SECOND_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "We're here for you every day from 8am to 10pm.",
        "We want to get this fixed for you.",
        "Thanks for bearing with us.",
        "We'll keep an eye on it.",
    ),
    "de": (
        "Wir sind täglich von 8 bis 22 Uhr für dich da.",
        "Wir möchten das für dich lösen.",
        "Danke, dass du dich gedulden kannst.",
        "Wir behalten das im Blick.",
    ),
}
SLOT_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "product": ("Kettle X2", "smart speaker", "web player", "photo editor", "router"),
        "place": ("Leeds", "Bristol", "Denver", "Glasgow", "Austin", "Cork"),
        "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
        "money": ("£12", "$15", "£7.50", "$30"),
        "ref": ("order number", "account email", "booking reference", "postcode"),
        "team": ("billing", "delivery", "technical", "network"),
    },
    "de": {
        "product": ("Wasserkocher X2", "Smart-Speaker", "Web-Player", "Fotoeditor", "Router"),
        "place": ("München", "Köln", "Lübeck", "Düsseldorf", "Nürnberg", "Gießen"),
        "day": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"),
        "money": ("12 €", "15 €", "7,50 €", "30 €"),
        "ref": ("Bestellnummer", "Kundennummer", "Buchungsnummer", "Postleitzahl"),
        "team": ("Rechnungs", "Liefer", "Technik", "Netz"),
    },
}
EMOJI = ("😡", "🙏", "👍", "😤", "🤷", "🔥", "😊", "🙄", "💔", "😭")
SIGNATURES = tuple(f" {mark}{a}{b}" for mark in "^/" for a in "AJLMT" for b in "KBRSW")
