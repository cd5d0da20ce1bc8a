"""The phrases `needs_reply` looks for: data, compiled by `socialdesk.insights.needs_reply`.

Each list is a raw string of regular-expression alternatives, one a line; a line that
starts with "|" continues the line before it. A single space stands for a run of spaces.
Each rule category has shared, English and German alternatives; shared ones are words
people use in either language ("pls", "DM"). `needs_reply` explains the rules and the
decisions behind them; the tests in `insights/tests/test_needs_reply.py` pin them.
"""

# A clause starts at the start of a line: `needs_reply` turns punctuation and emoji into line
# breaks. Greetings, a name and fillers may come first: "Hi Netflix, why ..." and
# "Ok so wann ..." still start with the interrogative.
CLAUSE_START = (
    r"^ *(?:(?:hi|hey|hello|hallo|moin|servus|dear|liebe|lieber|liebes|guten tag"
    r"|good morning|good evening|morning)(?: +\w+)? +)?"
    r"(?:(?:so|ok|okay|and|but|und|aber|also|well|btw|seriously|ernsthaft|hm+|ähm|äh"
    r"|lol|omg|wtf|ugh|sorry|excuse me|entschuldigung|kurze frage|quick question"
    r"|question|frage|pls|please|bitte|now|jetzt|dann|then) +)*"
)

# ---------------------------------------------------------------------------------------
# Removed before the rules run.

# Every phrase of POLITE contains one of these; most posts contain none and skip it.
POLITE_HINT = (
    "help|hilf|geholfen|geschehen|support|unterstütz|assist|reply|antwort|rückmeld|info"
    "|if you|hesitat|sorry|apolog|let me know|let us know|reach"
)

# Thanks for help, offers of help and apologies for a delay, removed so "help", "Hilfe",
# "let us know" or "delay" inside them is not read as a request or complaint. Offers and
# apologies are what support agents write when they close a conversation.
POLITE = r"""
    (?:(?:please |just |do )?(?:let (?:me|us) know|reach (?:back )?out(?: to us)?|dm us|contact us
        |get in touch|give us a shout) )?if you (?:still )?(?:need|have|want|require|think of
        |run into|'d like|would like)[^.!?\n]*
    (?:please )?(?:don't|do not) hesitate to[^.!?\n]*
    (?:just |do )?let (?:me|us) know if (?:we|i) can[^.!?\n]*
    (?:just |do )?let (?:me|us) know if (?:the |this |that |it |any )?(?:\w+ )?(?:(?:issues?
        |problems?) )?(?:return|returns|persist|persists|happens again|happen again|comes back
        |come back|further)[^.!?\n]*
    (?:please )?reach (?:back )?out (?:anytime|any time|again)
    (?:sorry|apologies|apologize|apologise) (?:for|about) (?:the|any|this|our) (?:delay
        |delayed response|wait|inconvenience|trouble|late reply)
    (?:we're|we are|i'm|i am) (?:always )?here to help
    (?:we|i)(?:'d| would) (?:love|be happy|be glad|be more than happy) to help
    (?:thanks|thank you|thx|ty|cheers|danke|vielen dank|dankeschön|danke schön)(?: so much| a lot
        | very much| again| sehr| vielmals| nochmal| nochmals)* (?:for|für) (?:(?:the|your|all the
        |all your|all|die|eure|deine|ihre|den|das|euren) )?(?:\w+ )?(?:help|hilfe|support
        |unterstützung|assistance|reply|antwort|rückmeldung|info|infos|information)
    (?:happy|glad|here|always happy|always glad) to help
    glad (?:i|we) could help
    hope (?:this|that|it) helps
    gern geschehen
    gerne geholfen
"""

# Rhetorical questions of praise: their question mark asks nothing of the company.
# `needs_reply` removes each from its start to the end of its sentence.
RHETORIC = r"""
    who else
    who doesn't love
    who are you and what have you done
    how (?:cool|awesome|great|amazing|cute|nice|good|lovely|sweet|brilliant) (?:is|was) (?:that
        |this|it)
    isn't (?:it|that|this) (?:great|amazing|awesome|lovely|brilliant)
    what more could (?:you|i|one|anyone) (?:want|ask for)
    need i say more
    wie (?:geil|cool|toll|schön|genial|super|krass|nice) (?:ist|war) (?:das|der|die|es)
    was will man mehr
    wer kennt(?:'s|s| es) nicht
"""

# ---------------------------------------------------------------------------------------
# Rules: request, interrogative, waiting, complaint.

PRONOUNS_EN = (
    r"(?:you|u|ya|y'all|yall|we|i|it|they|he|she|there|this|that|these|those|my|our|your"
    r"|ur|the|someone|somebody|anyone|anybody|anything|any|one)"
)
SUBJECTS_EN = r"(?:you|u|ya|y'all|yall|we|i|it|they|he|she|there|someone|anyone|anybody)"

INTERROGATIVE_EN = rf"""
    why(?! +not *$)
    y (?:do|does|is|are|can'?t|won'?t|isn'?t|don'?t|doesn'?t|did|didn'?t)
    what(?:'s|s)?(?! an?\b)
    how(?:'s| come|(?= (?:do|does|did|can|could|should|would|will|is|are|was|were|long|much|many
        |often|soon|far|to|about|else|exactly|i|we)\b))
    (?:when|where)(?:'s|(?= (?:is|are|was|were|will|would|can|could|do|does|did|should|has|have
        |to)\b))
    who(?:'s|(?= (?:is|are|was|were|will|would|can|could|do|does|did|should|has|have|to|i|we)\b))
    which(?! is why)(?= (?:\w+ )?(?:is|are|do|does|should|can|will|would|one|ones)\b)
    (?:can|could|will|would|is|are|was|were|does|did|should|shall|has|may|might|can'?t|won'?t|isn'?t
        |aren'?t|doesn'?t|didn'?t|wouldn'?t|couldn'?t|shouldn'?t|hasn'?t|wasn'?t
        |weren'?t) {PRONOUNS_EN}(?! (?:best|greatest|worst|most|nicest)\b)
    (?:do|have|don'?t|haven'?t|am) {SUBJECTS_EN}
"""

# "why" and "warum" with a verb ask even in mid-sentence ("west Cary NC why do you ...");
# the look-behinds skip "that's why" and "which is why", which explain rather than ask.
INTERROGATIVE_ANYWHERE_EN = r"""
    why(?<!that's\swhy)(?<!thats\swhy)(?<!that\sis\swhy)(?<!which\sis\swhy)(?<!this\sis\swhy) (?:do
        |does|did|is|are|was|were|can'?t|won'?t|isn'?t|aren'?t|doesn'?t|don'?t|didn'?t|would|should
        |has|have|hasn'?t|haven'?t|the hell|on earth|y'all|yall)
    how (?:do|can|should) (?:i|we)
    how the (?:heck|hell|fuck)
"""

INTERROGATIVE_ANYWHERE_DE = r"""
    (?:warum|wieso|weshalb) (?:ist|sind|hat|habt|kann|können|könnt|gibt|geht|funktioniert|muss|wird
        |fährt|kommt|dauert|bekomme|bekommt|werden|wurde|soll|sollte|darf|steht|fällt)
    wie (?:kann|soll) (?:ich|man)
"""

INTERROGATIVE_DE = r"""
    warum
    wieso
    weshalb
    weswegen
    wozu
    wofür
    woher
    wohin
    womit
    worum
    wann
    wo
    wer
    welche[rsnm]?
    was(?= (?:hat's|hats|gibt's|gibts|ist's|ists|geht's|gehts|ist|sind|soll|sollen|kann|können|muss
        |müssen|mache|machen|macht|kostet|kosten|passiert|gibt|heißt|bedeutet|los|genau|bringt|hat
        |habt|tun|läuft|denkt|sagt|war|wird|brauche|brauchen)\b)
    wie(?= (?:kann|kannst|können|könnt|lange|viel|viele|oft|bekomme|bekommt|komme|kommt|kommen
        |funktioniert|geht|gehts|ist|sind|soll|sollen|sollte|mache|macht|machen|lautet|spät|früh
        |teuer|genau|kündige|erreiche|erreicht|läuft|lässt|wird|werden|muss|müssen|darf|weit|schnell
        |sieht|stellt|finde|findet|erhalte|ändere|melde|hoch|bitte)\b)
    (?:kann|kannst|können|könnt|könnte|könntet|habt|hat|hast|ist|sind|seid|gibt|gab|wird|werden
        |wurde|muss|müssen|darf|dürfen|soll|sollen|sollte|funktioniert|geht|läuft|klappt|stimmt|weiß
        |wisst|wissen|bekomme|bekommt|kriege|kriegt|fährt|fahren|kommt|kommen) (?!(?:ich
        |man) nur\b)(?!man gesehen\b)(?:ich|ihr|man|es|sie|er|das|der|die|den|dem|mein|meine|meinen
        |meinem|jemand|euch|dein|deine|du|wir|ein|eine|einen|da|dort|hier|noch|eigentlich|überhaupt
        |irgendwo|irgendwie)
"""

REQUEST_SHARED = r"""
    (?:please|pls|plz|plss|pleas+e+)(?! (?:enjoy|never change|don'?t ever change|don'?t change
        |keep it up|keep up|keep doing|keep making|keep going)\b)
    asap
    kindly
    (?:dm|pm|pn) (?:me|us|mir|uns)
    (?:per|via|eine|ne|als) (?:dm|pn|pm)
"""

# Needs at the start of a clause: "need help with my order".
REQUEST_START_EN = "need(?= )"
REQUEST_START_DE = "brauche"

REQUEST_EN = r"""
    help(?<!to\shelp)(?<!could\shelp)(?<!can\shelp)(?<!will\shelp)(?<!'ll\shelp)(?= *(?:me|us|ya|a
        |my|out|please|pls|plz|with|needed|asap|someone|$))
    needs? (?:some |your |urgent )?(?:help|assistance|support)
    needed (?:some |your |urgent )?(?:help|assistance|support)
    any help
    (?:i|we)(?<!everything\si)(?<!all\si)(?<!all\swe) (?:(?:really|urgently|still|just
        |desperately) )?need
    needs? to be (?:fixed|sorted|resolved|looked at)
    (?:you|you guys|y'all|yall|u) (?:really )?need to
    (?:i|we)(?:'d| would) (?:really )?(?:like|love) to know
    (?:i|we)(?:'d| would) like(?! to (?:thank|say|commend|compliment|give|share|praise))
    i (?:really |just )?want(?:ed)? to(?! (?:say|thank|give|shout|tell you how))
    i want (?:a|my|an|the)
    (?:i|we) wanna
    let (?:me|us) know
    lmk
    any (?:update|updates|news|eta|idea|ideas|info|information|word|response|answer)
    (?:is )?any\x20?(?:one|body) (?:there|home|listening|out there|know|able)
    (?:can|could|would|will|won'?t) (?:you|u|ya|y'all|yall|someone|somebody|anyone|anybody)
    (?:check|read|answer|see|open) (?:your|ur|my) (?:dms?|inbox|messages?|emails?)
    sent (?:you |u )?(?:a |an )?(?:dm|message|email|pm)
    (?:replied|responded) to (?:your|ur) dm
    fix (?:this|it|that|the|your|my|ur)
    sort (?:this|it|that) out
    get (?:this|it|that) (?:fixed|sorted)
    do something
    (?:call|contact|email|ring) (?:me|us)
    get back to (?:me|us)
    (?:respond|reply|answer)(?: to)? (?:me|us|my)
    give (?:me|us) (?:my|a|an|back|our)
    refund (?:me|my|us)
    cancel my
    tell me
    explain
    send (?:me|us) (?:a|an|my|the|another|new|back)
    stop (?:playing|calling|charging|texting|emailing|sending|delaying|cancell?ing|billing|spamming
        |ignoring)
    (?:i'd|i would|we'd|we would|would) (?:really |greatly |much |so much )?appreciate
    appreciate it if
    take a look
    (?:dm|pm)(?:-?ed|'d) (?:you|u)
    messaged (?:you|u)
    (?:is|are) (?:there|you) (?:anyone|somebody|someone)
"""

REQUEST_DE = r"""
    bitte(?! (?:weiter so|so weiter|mehr davon|nie ändern|nicht ändern|schön|sehr)\b)
    hilfe
    (?:helft|hilf|helfen sie) (?:mir|uns)
    (?:ich|wir) (?:brauche|brauchen|benötige|benötigen)
    ich (?:möchte|moechte|will|wollte|würde gerne?|hätte gerne?)(?![^\n?]{0,40}\b(?:bedanken|danke
        |danken|loben|lob|sagen|kompliment))
    (?:könnt|koennt|könntet|würdet) ihr
    (?:können|könnten|würden) sie
    (?:kannst|könntest) du
    meldet euch
    melden sie sich
    (?:ruft|rufen sie) (?:mich |uns )?(?:an|zurück)
    (?:schreibt|schreiben sie) (?:mir|uns|mich)
    kümmert euch
    (?:hört|hören sie) (?:auf|endlich auf)
    gebt (?:mir|uns)
    (?:repariert|behebt|fixt) (?:das|es|den|die)
    weiß (?:jemand|einer|wer)
    wer kann
    (?:sagt|sag|erklärt) (?:mir|uns)
"""

WAITING_EN = r"""
    still (?:waiting|no|not|nothing|haven'?t|hasn'?t|can'?t|don'?t|doesn'?t|won'?t|isn'?t|broken
        |down|unresolved)
    been waiting
    (?:for|in) the (?:past|last) (?:\d+|two|three|four|five|six|seven|eight|nine|ten|few
        |several) (?:minutes|mins|hours|hrs|days|weeks|months)
    (?:past|last) (?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several) (?:hours|hrs|days
        |weeks)
    (?:waiting|waited) (?:for|on) (?:a |my |your |an |the |over |more than )?(?:\d+|reply|response
        |answer|refund|call|callback|update|engineer|technician|hours|days|weeks|ages)
    no (?:one|body) (?:has |is |seems )?(?:bothered|replied|responded|answered|called|got back
        |gets back|helps|helped|cares)
    for (?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|a few|many|over|almost
        |nearly) (?:\w+ )?(?:minutes|mins|hours|hrs|days|weeks|months)
    (?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:minutes|mins|hours|hrs|days
        |weeks) (?:now|and counting|later|late|delay|delayed|on hold|waiting)
    since (?:yesterday|this morning|last (?:night|week|month)|monday|tuesday|wednesday|thursday
        |friday|saturday|sunday|\d)
"""

WAITING_DE = r"""
    (?:warte|warten|wartet) (?:immer noch|noch immer|seit|schon|jetzt|nun|bereits|vergeblich
        |auf (?:eine|eure|ihre|die|meine))
    (?:immer noch|noch immer) (?:kein|keine|keinen|nichts|nicht)
    keine (?:antwort|rückmeldung|reaktion)
    (?:keiner|niemand) (?:meldet sich|antwortet|hilft|ruft)
    meldet sich (?:keiner|niemand)
    seit (?:\d+|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|mehreren|einigen|vielen|paar
        |ein paar|einer|einem|über|fast|knapp) (?:\w+ )?(?:tag|tagen|stunde|stunden|std|woche|wochen
        |minute|minuten|min|monat|monaten)
    seit (?:gestern|vorgestern|heute|tagen|wochen|stunden|monaten|montag|dienstag|mittwoch
        |donnerstag|freitag|samstag|sonntag)
"""

COMPLAINT_EN = r"""
    (?:not|isn'?t|aren'?t|stopped|never|still not) working
    (?:doesn'?t|does not|don'?t|do not|didn'?t|did not|won'?t|will not) (?:(?:seem
        |appear) to )?(?:work|load|open|play|start|connect|let (?:me|us)|stream|accept|update
        |download|arrive|show)
    (?:can'?t|cannot|can not|unable to|couldn'?t) (?:even|create|join|add|remove|install|send
        |receive|transfer|check|print|log|sign|connect|access|get|watch|stream|play|login|find|use
        |make|call|open|load|reach|download|cancel|pay|see|hear|book|buy|redeem|activate|change
        |update|board)
    keeps? (?:stopping|crashing|freezing|buffering|dropping|failing|saying|asking|logging|telling
        |cutting|disconnecting|kicking|charging|restarting|turning|showing)
    crash(?:es|ed|ing)?
    froze|frozen|freez(?:es|ing)
    buffering
    glitch(?:es|ing|y)?
    bug(?:s|gy)?
    errors?
    broken
    outage
    (?:is|are|been|still|went|goes|going|was|were) down
    down again
    no (?:driver|staff|announcements?|updates?|signal|service|internet|wifi|wi-fi|connection
        |reception|coverage|network|data|power|response|reply|answer|4g|5g|lte)
    lost (?:my|our|the) (?:connection|signal|luggage|bag|order|package|parcel|account|money)
    missing
    stuck
    delay(?<!not\sdelay)(?<!n't\sdelay)(?<!never\sdelay)(?:ed|s)?
    cancel(?<!not\scancel)(?<!n't\scancel)(?<!never\scancel)l?ed
    (?:late again|running late)
    (?:train|bus|flight|delivery|order|package|parcel|engineer) (?:is |was |are |were )?(?:late
        |delayed|cancell?ed)
    overcharged
    charged (?:me )?twice
    double charged
    never (?:arrived|received|came|showed|got|delivered)
    (?:hasn'?t|haven'?t|has not|have not|didn'?t|did not|not) (?:arrived|come|received|got|gotten
        |heard|been delivered|delivered|been refunded|refunded)
    (?:thanks|thank you|thx)(?: so much| a lot| again)? (?:@\w+ )?for (?:nothing|not|ruining|wasting
        |losing|making me|ignoring|cancell?ing|delaying|charging|the (?:delay|wait))
    (?:damaged|ruined|soaked|smashed|cracked)
    (?:is|so|too|very|really|super|extremely|painfully) slow
    fail(?<!else\sfail)(?:ed|s|ing|ure)?
    poor
    bad(?<!not\sbad)
    rude
    (?:went|gone|going|goes) wrong
    misleading
    hung up
    (?:not|isn'?t|is not) (?:ok|okay|acceptable|good enough)
    lag(?:gy|ging|s)?
    (?:worst|terrible|horrible|awful|appalling|unacceptable|ridiculous|disgraceful|disgrace|pathetic
        |useless|rubbish|shambles|disappointed|disappointing|shocking|scam|rip\x20?off|incompetent)
    fed up
    sick of
    (?:something|sth) (?:is |'s )?wrong
    wrong(?<!nothing\swrong)(?<!go\swrong)(?<!never\swrong)(?<!anything\swrong)
    (?:out of|not in) sync
    (?:overcrowded|short formed|short-formed|standing room only)
    (?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|another) time (?:this|today|in a|in the)
    (?:more|higher) than (?:agreed|quoted|promised|advertised|expected)
    no help
    lost (?:a|another|an old|a loyal|a long time) customer
    (?:charging|charged|billing|billed) me
    (?:still|been|was|were|got) (?:charged|billed|overcharged)
    refund
    fraud
    (?:don'?t|didn'?t|did not|haven'?t|never) (?:get|got|receive|received)
    (?:poor form|not happy|unhappy|not impressed|angry|furious|fuming|pissed|annoyed|frustrat\w*
        |nightmare|shitty|sucks|wtf)
    (?:battery )?draining
    (?:internet|wifi|wi-fi|service|power|signal|network|cable|tv|phone|line|app|website
        |site)s? (?:is |are |'s |been |still |went |goes |keeps going )?(?:out|down|dead|gone
        |offline)
    blackout
    (?:having|have|had|got|experiencing|facing) (?:(?:a|an|some|many|major|serious
        |the same) )?(?:problems?|issues?|trouble|difficulties|difficulty)
    (?:problems?|issues?|trouble) with
    (?:getting|gets|got) worse
    (?:disgusting|crappy|crap|idiots?|joke)
"""

COMPLAINT_DE = r"""
    (?:funktioniert|funktionieren|geht|gehen|klappt|klappen|läuft|laufen|lädt|laden|startet|ging
        |lief|klappte) (?:\w+ )?(?:\w+ )?nicht(?: mehr)?
    nicht (?:erreichbar|verfügbar|angekommen|möglich)
    nie angekommen
    kein(?:e|en)? (?:netz|empfang|internet|signal|verbindung|lte|5g|4g|wlan|strom|zug|anschluss
        |ersatz|info|information)
    störung(?:en)?
    gestört
    ausgefallen
    ausfall
    (?:fällt|fallen) (?:\w+ )?(?:\w+ )?aus
    fiel (?:\w+ )?aus
    verspätung(?:en)?
    verspätet
    verpasst
    abgestürzt
    (?:stürzt|stürzen|stürzte|stürzten|schmiert|schmieren) (?:\w+ ){0,3}ab
    hängt (?:sich )?(?:fest|auf|ständig|immer)
    hängen\x20?geblieben
    fehler
    fehlermeldung
    (?:kann|können|konnte|konnten) (?:\w+ )?(?:\w+ )?nicht (?:finden|buchen|kaufen|einloggen
        |anmelden|bezahlen|zahlen|erreichen|nutzen|öffnen|laden|herunterladen|streamen|schauen|sehen
        |telefonieren|kündigen|abspielen|aktivieren)
    falsch(?:e[nmrs]?)?
    asynchron
    (?:ist|sind|war|waren|plötzlich|einfach) weg
    doppelt (?:vergeben|gebucht|belegt|berechnet|abgebucht|belastet)
    höher als (?:vereinbart|angegeben|versprochen|besprochen|ausgemacht)
    (?:zum )?(?:\d+\.|zweiten|dritten|vierten|fünften) mal (?:diese|heute|in|hintereinander)
    (?:probleme?|ärger|schwierigkeiten) (?:mit|bei|beim)
    (?:habe|haben|hab|hatte|gibt|gibt es) (?:\w+ )?(?:probleme?|ärger|schwierigkeiten)
    stör(?:t|en) (?:mich|uns)
    (?:ruft|rufen|schreibt|schreiben) (?:mich )?(?:ständig|dauernd|immer)
    immer schlechter
    kaputt
    defekt
    gesperrt
    abgebucht
    (?:immer noch|noch immer) nicht
    buffert
    ruckelt
    lädt ewig
    zu spät
    danke für nichts
    (?:erstattet|erstattung|geld zurück)
    schon wieder
    (?:nicht zufrieden|unzufrieden|nervt|nervig|wütend|sauer|unmöglich|mies
        |schlecht(?<!nicht\sschlecht)|unverschämt|unverschämtheit|frechheit|katastrophe|katastrophal
        |unzumutbar|enttäuscht|enttäuschend|schlechteste[rns]?|miserabel|lächerlich|armutszeugnis
        |sauerei|ärgerlich|chaos|saftladen|abzocke)
"""

# News that the problem is gone turns a complaint into a status report. The look-behinds
# keep "not fixed" and "nicht behoben" from counting as good news.
RESOLVED = r"""
    (?:works|working|work|goes|going) (?:again|now|fine now)
    back (?:up|online|to normal)
    fixed(?<!not\sfixed)(?<!n't\sfixed)(?<!never\sfixed)(?<!yet\sfixed)
    resolved(?<!not\sresolved)(?<!n't\sresolved)(?<!never\sresolved)(?<!yet\sresolved)
    sorted(?<!not\ssorted)(?<!n't\ssorted)(?<!never\ssorted)(?<!yet\ssorted)
    solved(?<!not\ssolved)(?<!n't\ssolved)(?<!never\ssolved)(?<!yet\ssolved)
    all good
    (?:thanks|thank you|thx|danke)(?: so much| again)? (?:for|für) (?:fixing|sorting|resolving
        |solving|the fix|getting (?:it|this|that|me)|das beheben|die lösung|die reparatur)
    (?:geht|funktioniert|läuft|klappt) (?:\w+ )?wieder
    hat (?:\w+ )?geklappt
    behoben(?<!nicht\sbehoben)
    gelöst(?<!nicht\sgelöst)
    erledigt(?<!nicht\serledigt)
    alles gut
    wieder da
    (?:got|received|get) (?:my|the|a) (?:refund|money back)
    geld (?:ist )?(?:wieder )?(?:da|erstattet|angekommen|zurückgebucht)
    geld zurück\x20?bekommen
"""
