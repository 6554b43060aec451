import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';

/** POST /api/products/:id/reviews */
export class AddReviewRequestDto {
  /** 1 to 5 stars. */
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @IsString()
  @Length(1, 5000)
  @Matches(/\S/, { message: 'body must not be blank' })
  body!: string;
}
