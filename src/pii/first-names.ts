/**
 * Common Dutch and Flemish first names, lower case. A name in this list counts after weak cues
 * ("met sanne", "ik ben daan") and when capitalized on its own; other names need a strong cue
 * ("ik heet ...", "mijn naam is ...") or a capital after "mijn broer" and the like.
 */
const NAMES = `
emma julia mila tess sophie zoë zoe sara sarah nora noor fenna eva anna lotte lisa saar sanne evi
liv lieke isa yara fleur julie roos sofie sophia olivia nina lina amber femke floor jasmijn
anouk esmee iris lynn luna maud elin lara lana hanna hannah elise ella fien nova lauren lieve
charlotte jill kim laura demi britt romy puck vera maaike marit ilse inge linda marieke annemiek
naomi yasmina yasmine fatima aisha ayla ayse zeynep amira salma nour malak hiba imane
elena marie louise ines chloe chloé manon lena mia ella amelie amélie lucie juliette camille
jade ellen eline elien lore lotte jana jolien kato febe hanne silke amber tine nele lien
daan sem lucas levi finn noah liam luuk milan jesse bram thijs lars tim ruben thomas stijn
sven max jens bas tom niels jan pieter kees koen joost wouter dirk gijs teun siem mees
jayden dylan kevin justin ryan nick rick mike mark stefan dennis sander bart martijn
mohammed mohamed mehmet ahmed ali omar yusuf youssef ibrahim hamza bilal ayoub adam amin
rayan zakaria mustafa emre burak kerem can deniz arda
arthur louis jules victor lowie mathis warre vic seppe wout jasper robbe mats senne lander
kobe xander brent jef jens cas ward lenn jonas stan arne tibo tuur rune fons staf
`;

export const FIRST_NAMES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((name) => name.length > 0));

/** Names that are also everyday words ("roos", "max", "jan" as January): never counted on a capital alone. */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = new Set(['roos', 'max', 'jan', 'mark', 'kim', 'can', 'vic', 'staf', 'fons', 'ward', 'tuur', 'lieve', 'floor', 'stan', 'tim', 'tom']);
