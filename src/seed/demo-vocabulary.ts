/**
 * Words the demo data is built from: a category tree with brands, product kinds, price ranges and
 * features per leaf; people's names; cities. Plain data, no logic.
 */

export interface LeafCategory {
  path: [string, string, string];
  /** Product kinds sold in this leaf ("Wireless Headphones"). */
  kinds: string[];
  brands: string[];
  /** Price range in whole currency units. */
  price: [number, number];
  features: string[];
}

export const CATEGORIES: LeafCategory[] = [
  {
    path: ['Electronics', 'Audio', 'Headphones'],
    kinds: ['Wireless Headphones', 'Noise-Cancelling Headphones', 'Studio Headphones', 'Earbuds'],
    brands: ['Sonora', 'Auralis', 'BassLine', 'Quietude'],
    price: [19, 399],
    features: ['Bluetooth 5.3', 'Active noise cancelling', '30 h battery', 'USB-C charging', 'Foldable'],
  },
  {
    path: ['Electronics', 'Audio', 'Speakers'],
    kinds: ['Bluetooth Speaker', 'Smart Speaker', 'Soundbar', 'Bookshelf Speakers'],
    brands: ['Sonora', 'Auralis', 'Voxbox'],
    price: [29, 599],
    features: ['Waterproof IP67', 'Stereo pairing', 'Voice assistant', 'Wi-Fi streaming'],
  },
  {
    path: ['Electronics', 'Computers', 'Laptops'],
    kinds: ['Ultrabook', 'Gaming Laptop', 'Business Laptop', '2-in-1 Laptop'],
    brands: ['Nimbus', 'Vertex', 'Kestrel'],
    price: [499, 2499],
    features: ['16 GB RAM', '1 TB SSD', '14-inch display', 'Backlit keyboard', 'Fingerprint reader'],
  },
  {
    path: ['Electronics', 'Computers', 'Accessories'],
    kinds: ['Mechanical Keyboard', 'Wireless Mouse', 'USB-C Hub', 'Laptop Stand', 'Webcam'],
    brands: ['Nimbus', 'Keyforge', 'Vertex', 'Plugwise'],
    price: [9, 189],
    features: ['USB-C', 'Wireless', 'Ergonomic', 'Aluminium body', 'Plug and play'],
  },
  {
    path: ['Electronics', 'Phones', 'Smartphones'],
    kinds: ['Smartphone', 'Compact Smartphone', 'Rugged Smartphone'],
    brands: ['Kestrel', 'Orbit', 'Lumen'],
    price: [149, 1299],
    features: ['OLED display', '5G', 'Dual camera', '128 GB storage', 'Fast charging'],
  },
  {
    path: ['Home & Kitchen', 'Kitchen', 'Cookware'],
    kinds: ['Frying Pan', 'Saucepan Set', 'Dutch Oven', 'Wok', 'Stockpot'],
    brands: ['Hearth & Co', 'Ferrum', 'Cucina Viva'],
    price: [15, 249],
    features: [
      'Induction compatible',
      'Dishwasher safe',
      'Cast iron',
      'Non-stick coating',
      'Oven safe to 260 °C',
    ],
  },
  {
    path: ['Home & Kitchen', 'Kitchen', 'Small Appliances'],
    kinds: ['Espresso Machine', 'Blender', 'Toaster', 'Electric Kettle', 'Air Fryer'],
    brands: ['Brewster', 'Hearth & Co', 'Zestio'],
    price: [19, 699],
    features: ['1500 W', 'Stainless steel', 'Auto shut-off', 'BPA free', 'Programmable'],
  },
  {
    path: ['Home & Kitchen', 'Furniture', 'Office'],
    kinds: ['Standing Desk', 'Ergonomic Chair', 'Monitor Arm', 'Filing Cabinet'],
    brands: ['Ergonova', 'Oakline', 'Deskwise'],
    price: [39, 899],
    features: ['Height adjustable', 'Lumbar support', 'Solid oak', 'Cable management', 'Assembly included'],
  },
  {
    path: ['Home & Kitchen', 'Bedding', 'Sheets'],
    kinds: ['Percale Sheet Set', 'Linen Duvet Cover', 'Down Pillow', 'Wool Blanket'],
    brands: ['Slumberly', 'Nordic Nest', 'Cotton & Cloud'],
    price: [12, 299],
    features: ['100% organic cotton', 'OEKO-TEX certified', 'Machine washable', 'King size available'],
  },
  {
    path: ['Sports & Outdoors', 'Camping', 'Tents'],
    kinds: ['2-Person Tent', 'Family Tent', 'Ultralight Tent', 'Camping Tarp'],
    brands: ['Trailhead', 'Summit Gear', 'Wildcraft'],
    price: [29, 599],
    features: ['Waterproof 3000 mm', 'Freestanding', 'Packs to 2 kg', 'Footprint included'],
  },
  {
    path: ['Sports & Outdoors', 'Fitness', 'Equipment'],
    kinds: ['Adjustable Dumbbells', 'Yoga Mat', 'Kettlebell', 'Resistance Bands', 'Rowing Machine'],
    brands: ['Ironclad', 'FlexFit', 'Peakform'],
    price: [9, 1199],
    features: ['Non-slip', 'Space saving', 'Steel construction', 'Includes workout guide'],
  },
  {
    path: ['Sports & Outdoors', 'Cycling', 'Accessories'],
    kinds: ['Bike Helmet', 'LED Bike Light', 'Bike Lock', 'Cycling Gloves', 'Water Bottle Cage'],
    brands: ['Velocita', 'Spokeworks', 'Trailhead'],
    price: [7, 149],
    features: ['USB rechargeable', 'MIPS protection', 'Reflective', 'Lightweight'],
  },
  {
    path: ['Books', 'Fiction', 'Novels'],
    kinds: ['Hardcover Novel', 'Paperback Novel', 'Box Set'],
    brands: ['Larkspur Press', 'Meridian Books', 'Inkwell'],
    price: [8, 59],
    features: ['First edition', 'Signed copy', 'Large print', 'Illustrated'],
  },
  {
    path: ['Books', 'Non-fiction', 'Cooking'],
    kinds: ['Cookbook', 'Baking Handbook', 'Wine Guide'],
    brands: ['Larkspur Press', 'Meridian Books'],
    price: [12, 65],
    features: ['200 recipes', 'Hardcover', 'Photographed step by step'],
  },
  {
    path: ['Toys & Games', 'Games', 'Board Games'],
    kinds: ['Strategy Board Game', 'Party Game', 'Cooperative Game', 'Jigsaw Puzzle'],
    brands: ['Meeple Works', 'Dicey', 'Tabletop Co'],
    price: [9, 129],
    features: ['2-6 players', 'Ages 10+', '60 minute play time', 'Expansion ready'],
  },
  {
    path: ['Beauty & Personal Care', 'Skin Care', 'Face'],
    kinds: ['Moisturiser', 'Cleanser', 'Serum', 'Sunscreen SPF 50'],
    brands: ['Lumière', 'Botanica', 'Pure Dew'],
    price: [6, 89],
    features: ['Fragrance free', 'Vegan', 'Dermatologist tested', '50 ml'],
  },
];

/** Words that make product names distinct within a kind. */
export const MODEL_WORDS = [
  'Aero',
  'Nova',
  'Pro',
  'Max',
  'Lite',
  'Air',
  'Core',
  'Prime',
  'Flex',
  'One',
  'Edge',
  'Zen',
  'Pulse',
  'Terra',
  'Aqua',
  'Luxe',
  'Mini',
  'Ultra',
  'Classic',
  'Studio',
];
export const COLOURS = [
  'Black',
  'White',
  'Graphite',
  'Navy',
  'Sage',
  'Sand',
  'Red',
  'Silver',
  'Forest',
  'Slate',
];

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Donald',
  'Radia',
  'Edsger',
  'Katherine',
  'John',
  'Hedy',
  'Tim',
  'Sophie',
  'Guido',
  'Anita',
  'Bjarne',
  'Carol',
  'Niklaus',
  'Lena',
  'Yukihiro',
  'Mary',
  'James',
  'Leslie',
  'Shafi',
  'Jean',
  'Robin',
  'Elena',
  'Marco',
  'Priya',
  'Kwame',
  'Ingrid',
  'Mateo',
  'Aiko',
  'Omar',
  'Zofia',
  'Tariq',
];
export const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Knuth',
  'Perlman',
  'Dijkstra',
  'Johnson',
  'McCarthy',
  'Lamarr',
  'Berners-Lee',
  'Wilson',
  'van Rossum',
  'Borg',
  'Stroustrup',
  'Shaw',
  'Wirth',
  'Lindqvist',
  'Matsumoto',
  'Keller',
  'Gosling',
  'Lamport',
  'Goldwasser',
  'Sammet',
  'Milner',
  'Rossi',
  'Bianchi',
  'Patel',
  'Mensah',
  'Larsen',
  'Garcia',
  'Tanaka',
  'Haddad',
  'Nowak',
  'Aziz',
];

export interface CityInfo {
  city: string;
  region: string | null;
  country: string;
  /** A postal code pattern: '#' is a digit. */
  postal: string;
}

export const CITIES: CityInfo[] = [
  { city: 'Springfield', region: 'IL', country: 'US', postal: '627##' },
  { city: 'Portland', region: 'OR', country: 'US', postal: '972##' },
  { city: 'Austin', region: 'TX', country: 'US', postal: '787##' },
  { city: 'Boston', region: 'MA', country: 'US', postal: '021##' },
  { city: 'Denver', region: 'CO', country: 'US', postal: '802##' },
  { city: 'Seattle', region: 'WA', country: 'US', postal: '981##' },
  { city: 'Toronto', region: 'ON', country: 'CA', postal: 'M5V 2T#' },
  { city: 'Berlin', region: null, country: 'DE', postal: '10###' },
  { city: 'Lyon', region: null, country: 'FR', postal: '6900#' },
  { city: 'Amsterdam', region: null, country: 'NL', postal: '10## AB' },
  { city: 'Milan', region: 'MI', country: 'IT', postal: '201##' },
  { city: 'Madrid', region: null, country: 'ES', postal: '280##' },
];

export const STREETS = [
  'Main St',
  'Oak Ave',
  'Maple Dr',
  'Cedar Ln',
  'Elm St',
  'Park Rd',
  'Lake View',
  'Hill St',
  'River Rd',
  'Station Sq',
  'Market St',
  'Church Ln',
  'Mill Rd',
  'Harbour Way',
];

export const ADDRESS_LABELS = ['Home', 'Work', 'Parents', 'Holiday home', 'Studio'];
