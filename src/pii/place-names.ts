/**
 * A gazetteer of Dutch and Belgian cities, towns and municipalities, lower case, hyphens as spaces.
 * A place in it counts after a small word like "in" or "uit", or capitalized; a place not in it
 * only after "ik woon in" and the like.
 */
const DUTCH_PLACES = `
amsterdam rotterdam den haag s gravenhage utrecht eindhoven groningen tilburg almere breda nijmegen
apeldoorn haarlem arnhem enschede amersfoort zaandam zaanstad den bosch s hertogenbosch haarlemmermeer
hoofddorp zwolle zoetermeer leiden maastricht dordrecht ede alphen aan den rijn westland alkmaar emmen
delft venlo deventer sittard geleen helmond oss hilversum heerlen leeuwarden amstelveen nissewaard
hengelo purmerend roosendaal schiedam lelystad vlaardingen almelo gouda hoorn spijkenisse assen
capelle aan den ijssel veenendaal katwijk zeist nieuwegein roermond doetinchem den helder hoogeveen
terneuzen middelburg vlissingen goes kampen harderwijk barneveld woerden houten ijsselstein
soest baarn bussum naarden huizen weesp diemen uithoorn aalsmeer heemstede bloemendaal zandvoort
beverwijk heemskerk castricum heerhugowaard schagen enkhuizen medemblik volendam edam monnickendam
wormerveer krommenie wormer landsmeer oostzaan hoogezand veendam winschoten stadskanaal delfzijl
appingedam drachten heerenveen sneek franeker harlingen dokkum joure wolvega bolsward
steenwijk meppel coevorden hardenberg ommen raalte dalfsen genemuiden hattem
oldenzaal rijssen nijverdal borne losser haaksbergen winterswijk zutphen lochem borculo
tiel culemborg wageningen veenendaal rhenen elst zevenaar duiven westervoort didam
wijchen druten beuningen boxmeer cuijk uden veghel schijndel boxtel vught waalwijk oisterwijk
dongen oosterhout etten leur bergen op zoom rucphen zundert valkenswaard veldhoven waalre
geldrop nuenen eersel bladel deurne gemert asten someren weert nederweert kerkrade brunssum
landgraaf valkenburg meerssen stein beek echt maasbree horst venray gennep panningen tegelen
gorinchem leerdam papendrecht sliedrecht zwijndrecht ridderkerk barendrecht hellevoetsluis
brielle maassluis rozenburg krimpen aan den ijssel lekkerkerk nieuwerkerk bergschenhoek
berkel en rodenrijs pijnacker nootdorp rijswijk voorburg leidschendam wassenaar voorschoten
oegstgeest noordwijk lisse hillegom sassenheim waddinxveen boskoop reeuwijk bodegraven
nieuwkoop mijdrecht vinkeveen breukelen maarssen bilthoven de bilt driebergen doorn wijk bij duurstede
urk dronten emmeloord zeewolde nunspeet elburg ermelo putten nijkerk epe heerde vaassen
lutjebroek sint anna parochie ter apel texel vlieland terschelling ameland schiermonnikoog
`;

const BELGIAN_PLACES = `
antwerpen gent brussel charleroi luik liege brugge namen namur leuven bergen mons aalst mechelen
la louviere kortrijk hasselt sint niklaas oostende doornik tournai genk seraing roeselare verviers
mouscron moeskroen beveren dendermonde beringen turnhout vilvoorde lokeren sint truiden herstal
geel ninove halle waregem braine l alleud chatelet lier tienen ieper maasmechelen zaventem
merelbeke deinze zele wetteren lede erpe mere haaltert denderleeuw geraardsbergen zottegem oudenaarde
ronse herzele wichelen berlare hamme temse kruibeke zwijndrecht bornem puurs sint amands willebroek
boom rumst kontich edegem mortsel hove boechout ranst zandhoven schilde wijnegem wommelgem schoten
brasschaat kapellen stabroek ekeren kalmthout essen wuustwezel brecht malle zoersel ranst
herentals olen westerlo heist op den berg mol balen dessel retie arendonk oud turnhout ravels
hoogstraten rijkevorsel beerse vosselaar lille kasterlee grobbendonk nijlen berlaar duffel
sint katelijne waver bonheiden putte keerbergen haacht boortmeerbeek kampenhout steenokkerzeel
machelen diegem grimbergen meise wemmel asse dilbeek affligem liedekerke ternat roosdaal
lennik gooik pepingen beersel drogenbos linkebeek sint genesius rode overijse hoeilaart tervuren
kortenberg herent rotselaar aarschot diest scherpenheuvel zichem tielt winge bekkevoort
landen zoutleeuw linter hoegaarden bierbeek oud heverlee holsbeek lubbeek glabbeek
sint pieters leeuw anderlecht schaarbeek elsene ukkel etterbeek jette ganshoren molenbeek
sint jans molenbeek laken evere vorst oudergem watermaal bosvoorde
knokke heist knokke blankenberge de haan bredene middelkerke nieuwpoort koksijde de panne veurne
diksmuide poperinge wervik menen wevelgem harelbeke zwevegem kuurne lendelede izegem ingelmunster
tielt ruiselede wingene oostkamp beernem zedelgem jabbeke torhout lichtervelde kortemark
eeklo maldegem assenede kaprijke zelzate evergem lochristi destelbergen melle oosterzele
sint martens latem nazareth de pinte gavere zulte kruisem wortegem petegem
sint gillis waas stekene moerbeke wachtebeke waasmunster sinaai
bilzen tongeren borgloon sint truiden lommel neerpelt overpelt pelt hamont achel bree peer
houthalen helchteren heusden zolder lummen halen herk de stad diepenbeek zonhoven
as maaseik dilsen stokkem kinrooi meeuwen gruitrode oudsbergen hechtel eksel leopoldsburg
ham tessenderlo
`;

/** Names of more than one word; their words are written apart in the lists above. */
const MULTI_WORD_PLACES = [
  'den haag', 's gravenhage', 'den bosch', 's hertogenbosch', 'alphen aan den rijn', 'capelle aan den ijssel',
  'den helder', 'etten leur', 'bergen op zoom', 'krimpen aan den ijssel', 'berkel en rodenrijs', 'de bilt',
  'wijk bij duurstede', 'sint anna parochie', 'ter apel', 'la louviere', 'sint niklaas', 'sint truiden',
  'braine l alleud', 'erpe mere', 'sint amands', 'heist op den berg', 'oud turnhout', 'sint katelijne waver',
  'sint genesius rode', 'scherpenheuvel zichem', 'tielt winge', 'oud heverlee', 'sint pieters leeuw',
  'sint jans molenbeek', 'watermaal bosvoorde', 'knokke heist', 'de haan', 'de panne', 'sint martens latem',
  'de pinte', 'wortegem petegem', 'sint gillis waas', 'hamont achel', 'houthalen helchteren', 'heusden zolder',
  'herk de stad', 'dilsen stokkem',
];

const MULTI_WORD_PARTS = new Set(MULTI_WORD_PLACES.flatMap((name) => name.split(' ')));

/** Words of multi-word names that are also places on their own. */
const ALSO_ALONE = ['heist', 'knokke', 'tielt', 'molenbeek', 'bergen', 'heusden'];

/** Every place, lower case, words separated by one space ("sint niklaas", "den haag"). */
export const PLACE_NAMES: ReadonlySet<string> = new Set([
  ...MULTI_WORD_PLACES,
  ...ALSO_ALONE,
  ...`${DUTCH_PLACES} ${BELGIAN_PLACES}`.split(/\s+/).filter((word) => word.length > 0 && !MULTI_WORD_PARTS.has(word)),
]);

/** Places that are also ordinary Dutch words ("boom", "mol", "as"): only capitalized or introduced. */
export const AMBIGUOUS_PLACES: ReadonlySet<string> = new Set([
  'boom', 'mol', 'as', 'ham', 'peer', 'lier', 'ede', 'epe', 'hoorn', 'beek', 'elst', 'lede', 'melle', 'lille', 'halle',
  'halen', 'bergen', 'doorn', 'putten', 'soest', 'zele', 'geel', 'olen', 'balen', 'essen', 'malle', 'retie',
  'meise', 'asse', 'evere', 'vorst', 'laken', 'hove', 'landen', 'herent', 'schilde', 'linter', 'bree', 'stein', 'echt',
  'urk', 'goes', 'beveren', 'temse', 'edam', 'hattem', 'heerde', 'schoten', 'brecht', 'ranst', 'lommel', 'heusden',
  'horst', 'uden', 'oss', 'tiel', 'weert', 'borne', 'lochem', 'duiven', 'elburg', 'mons', 'namen', 'luik', 'diest',
  'kampen', 'tegelen', 'huizen', 'houten', 'kapellen', 'duffel', 'jette', 'menen', 'meeuwen', 'nazareth', 'putte', 'heist',
]);
