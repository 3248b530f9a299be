// shortnames.js: reviewed short forms of long area names, for the names drawn on the map only
// (the tooltip, the panel, the table and every download keep the full name). Keyed by the full
// name as the boundary layers spell it, so one entry serves every vintage that uses the name.
// Short forms follow the bodies' own usage where they have one (D2N2, GCGP) and the usual
// abbreviations otherwise (Gtr, CR for City Region, county short forms such as Staffs).

export const SHORT_NAMES = {
  // Local Enterprise Partnerships (2014, 2017, 2020 and 2021 vintages)
  'Buckinghamshire Thames Valley': 'Bucks TV',
  'Cheshire and Warrington': 'Cheshire & Warrington',
  'Cornwall and Isles of Scilly': 'Cornwall & Scilly',
  'Coventry and Warwickshire': 'Coventry & Warks',
  'Derby, Derbyshire, Nottingham and Nottinghamshire': 'D2N2',
  'Greater Birmingham and Solihull': 'Gtr Birmingham',
  'Greater Cambridge and Greater Peterborough': 'Cambs & Peterborough',
  'Greater Lincolnshire': 'Gtr Lincolnshire',
  'Greater Manchester': 'Gtr Manchester',
  'Heart of the South West': 'Heart of the SW',
  'Hull and East Yorkshire': 'Hull & E Yorks',
  'Leeds City Region': 'Leeds CR',
  'Leicester and Leicestershire': 'Leicester & Leics',
  'Liverpool City Region': 'Liverpool CR',
  'Sheffield City Region': 'Sheffield CR',
  'South East Midlands': 'SE Midlands',
  'Stoke-on-Trent and Staffordshire': 'Stoke & Staffs',
  'Swindon and Wiltshire': 'Swindon & Wilts',
  'Thames Valley Berkshire': 'Berkshire',
  'York and North Yorkshire': 'York & N Yorks',
  'York, North Yorkshire and East Riding': 'York, N Yorks & E Riding',
  // NUTS 3 (2010, 2013 and 2016 versions), England
  'Bath and North East Somerset, North Somerset and South Gloucestershire': 'Bath, N Somerset & S Glos',
  'Barnsley, Doncaster and Rotherham': 'Barnsley, Doncaster & Rotherham',
  'Greater Manchester North East': 'Gtr Manchester NE',
  'Greater Manchester North West': 'Gtr Manchester NW',
  'Greater Manchester South East': 'Gtr Manchester SE',
  'Greater Manchester South West': 'Gtr Manchester SW',
  'Greater Manchester North': 'Gtr Manchester N',
  'Greater Manchester South': 'Gtr Manchester S',
  'Kensington & Chelsea and Hammersmith & Fulham': 'Kensington, Chelsea, Hammersmith & Fulham',
  'Kensington and Chelsea & Hammersmith and Fulham': 'Kensington, Chelsea, Hammersmith & Fulham',
  'Merton, Kingston upon Thames and Sutton': 'Merton, Kingston & Sutton',
  'Merton, Kingston upon Thames & Sutton': 'Merton, Kingston & Sutton',
  'Hounslow and Richmond upon Thames': 'Hounslow & Richmond',
  'Hounslow & Richmond upon Thames': 'Hounslow & Richmond',
  'Barking & Dagenham and Havering': 'Barking, Dagenham & Havering',
  'Barking and Dagenham & Havering': 'Barking, Dagenham & Havering',
  'Hartlepool and Stockton-on-Tees': 'Hartlepool & Stockton',
  'North and North East Lincolnshire': 'N & NE Lincolnshire',
  'Leicestershire CC and Rutland': 'Leics & Rutland',
  'Outer London - East and North East': 'Outer London E & NE',
  'Outer London - West and North West': 'Outer London W & NW',
  'Kingston upon Hull, City of': 'Hull',
  'Herefordshire, County of': 'Herefordshire',
  'Bristol, City of': 'Bristol',
  'East Riding of Yorkshire': 'East Riding',
  'Cheshire West and Chester': 'Cheshire W & Chester',
  'Yorkshire and The Humber': 'Yorkshire & Humber',
};

/** The name to draw on the map for an area named `name`. */
export const shortName = (name) => SHORT_NAMES[name] ?? name;
