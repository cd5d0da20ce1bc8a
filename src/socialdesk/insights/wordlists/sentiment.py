"""The sentiment words of `insights.sentiment.lexicon_sentiment`: data only.

Our own word lists, folded like `insights.keywords.fold` (ä → ae, ß → ss). "word" matches
that word, "stem*" any word starting with it, "*part*" any word containing it (German
compounds: "Zugausfall", "Signalstörung"). Kept away from words that mean something else in
the other language ("kind" is a child in German) and from greetings ("Guten Morgen").
"""

POSITIVE_WORDS = """
    danke dankeschoen dank dankbar* super* toll tolle toller tolles tollen klasse prima
    spitze perfekt* wunderbar* wundervoll* grossartig* genial* freue freut freuen freude*
    gluecklich* zufrieden* lob lobe loben gut gute gutes guter bestens schoen* schnell
    schneller puenktlich* bequem* sauber* freundlich* nett nette netten netter hilfsbereit*
    kompetent* angenehm* entspannt* empfehl* beeindruck* begeistert* geil* cool top
    geklappt klappt hervorragend* ausgezeichnet* fantastisch* herzlich* gelungen* bravo
    respekt sympathisch* lecker* komfortabel* zuverlaessig* guenstig* preiswert* erleichtert
    juhu hurra spass gefaellt mag liebe liebt lieben
    thank* thx great good best love loved loving lovely awesome amazing excellent fantastic
    wonderful perfect* nice happy glad pleased helpful friendly polite comfortable comfy
    clean smooth easy punctual reliable recommend* appreciat* brilliant enjoy* fun
    impress* superb outstanding professional courteous resolved yay wow favorite favourite
    pleasure gorgeous hero kudos
"""
NEGATIVE_WORDS = """
    schlecht* schlimm* mies* miserabel* katastroph* desaster chaos chaotisch* aerger*
    veraerger* wuetend* sauer nervig* nervt genervt enttaeusch* frech* unverschaemt*
    zumutung* skandal* peinlich* unfaehig* inkompetent* unfreundlich* unhoeflich* arrogant*
    *verspaet* *ausfall* *ausfaelle* ausgefallen faellt *stoerung* gestoert
    stillstand streik* ueberfuellt* dreckig* schmutzig* eklig* stinkt stinkend* teuer*
    abzocke* beschwer* problem* fehler* verpasst* warte warten wartet wartezeit* gestrichen
    gesperrt unpuenktlich* unzuverlaessig* unmoeglich* sinnlos* hass* doof* bloed*
    scheiss* mist kacke traurig* leider gefaehrlich* *unfall* toedlich* verletzt* schade
    bad worse worst terribl* horribl* awful poor disappoint* angry annoy* frustrat* furious
    upset hate* suck* rude* unhelpful unprofessional incompetent useless fail*
    delay* late cancel* stuck stranded lost missing missed waiting waited dirty filthy
    smell* crowded overbooked expensive ridiculous unacceptable joke nightmare disaster
    mess issue* complain* wrong sad worried dangerous unsafe scam shame* pathetic lousy
"""
# Reports that something of the company's is broken: each counts FAILURE_WEIGHT times, so
# thanks or praise around it ("Danke für das tolle Update, jetzt stürzt die App ab", "Super,
# schon wieder abgestürzt") never make a crash report "positive".
FAILURE_WORDS = """
    *absturz* *abstuerz* abgestuerzt stuerzt stuerzen kaputt* defekt*
    crash* broken freezes freezing frozen
"""
FAILURE_WEIGHT = 3
NEGATORS = """
    nicht kein keine keinen keinem keiner keines nie niemals nichts ohne kaum
    not no never none nothing without hardly isn't wasn't aren't weren't don't doesn't
    didn't can't cannot couldn't won't wouldn't shouldn't haven't hasn't hadn't
"""
CLAUSE_ENDS = frozenset(".,;:!?()")
POSITIVE_EMOJI = frozenset("👍😊😀😃😄😁🙂😍🥰❤💕💚💙🙏👏🎉✨😘☺")
NEGATIVE_EMOJI = frozenset("👎😡😠🤬😤😢😭😞😩😫🙄💩😒😔😕☹")
