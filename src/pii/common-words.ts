/**
 * Everyday Dutch and Flemish chat words that follow the cues the name, place and organisation
 * rules look for ("ik ben bang", "ik woon in een flat", "ik zit op mijn kamer"), so they are
 * never taken for a name, a place or a school.
 */
const WORDS = `
de het een t n en of maar want dus dan als omdat toen nu al ook nog niet geen wel heel erg echt
zo zoals te om op in uit aan bij met van voor na naar over onder tussen tegen zonder door tot sinds
ik jij je u hij zij ze we wij jullie zij mij me mijn m mn jouw jou zijn z zn haar hun hen ons onze
dit dat die deze wie wat waar waarom hoe wanneer welke er hier daar iets niets iemand niemand alles
ben bent is was waren zijn ben word wordt werd worden heb hebt heeft had hadden kan kun kunt
wil wilt moet moest mag mocht zal zou ga gaat ging gaan doe doet deed zeg zegt zei weet weten denk
bang boos blij verdrietig moe ziek alleen eenzaam gestresst gestrest zenuwachtig verliefd bezig
klaar weg thuis buiten binnen beneden boven lang kort groot klein oud jong nieuw goed slecht fijn
leuk stom raar eng gemeen lief aardig normaal anders beter slechter erger zelf samen echt wel
ok oke oké okay ja nee neen jawel hoi hallo hey hoihoi doei dag mvg groetjes xx xxx sorry sry
school klas groep huis kamer bed flat appartement tehuis internaat pleeggezin gezin familie
dorp stad buurt wijk land nederland belgië belgie vlaanderen holland europa marokko turkije
polen syrië syrie suriname duitsland frankrijk spanje engeland
mama papa mam pap moeder vader ouders broer zus zusje broertje opa oma oom tante neef nicht
stiefvader stiefmoeder stiefpa stiefma vriend vriendin vriendje vriendinnetje vrienden
juf meester meneer mevrouw leraar lerares mentor docent coach trainer
jongen meisje kind kinderen mensen iedereen niemand klasgenoten
voetbal hockey zwemmen tennis judo dansen turnen gym muziek tekenen gamen
kerst pasen sinterklaas vakantie weekend maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
vandaag morgen gisteren straks later vroeger altijd nooit soms vaak
nederlands engels frans duits wiskunde geschiedenis aardrijkskunde biologie
havo vwo mavo vmbo tso bso aso kso atheneum gymnasium lyceum college basisschool middelbare
lagere secundaire school privé prive gehackt verwijderd nep geblokkeerd
beetje paar veel weinig meer minder eerste tweede laatste hele heel half
`;

export const COMMON_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((word) => word.length > 0));

/** Relatives and people around a child: "mijn broer Daan", "juf Annemiek". */
export const PERSON_WORDS: ReadonlySet<string> = new Set(
  `broer zus zusje broertje zussen broers vriend vriendin vriendje vriendinnetje bff crush ex lief
  neef nicht oom tante opa oma stiefvader stiefmoeder stiefbroer stiefzus halfbroer halfzus
  buurman buurjongen buurmeisje buurvrouw klasgenoot klasgenote mentor mentrix juf juffrouw meester
  meneer mevrouw trainer coach leraar lerares docent jongen meisje vader moeder papa mama`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);
